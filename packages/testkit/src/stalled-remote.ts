import { connect, createServer, type Socket } from 'node:net';
import { Transform } from 'node:stream';

/** A slow link: at most `bytes` every `everyMs` from the remote to the client. */
export interface Throttle {
  bytes: number;
  everyMs: number;
}

export interface StalledRemote {
  /** The port on 127.0.0.1; use it in an `https://` or `http://` URL. */
  port: number;
  /** Whether new connections are left unanswered (otherwise they are forwarded). */
  silent: boolean;
  /** Forwarded connections made while this is set answer that slowly. */
  throttle: Throttle | undefined;
  /** Connections accepted so far (forwarded or not). */
  readonly connections: number;
  /** Closes the listener and every connection, so whatever waits on one sees it end. */
  close: () => Promise<void>;
}

/**
 * A remote that stops answering, as a hung server or a black-holing network does: a TCP
 * listener on port 0 that accepts every connection and never sends a byte (no TLS handshake,
 * no HTTP answer). With `forwardTo`, connections made while `silent` is false are piped to that
 * port instead (e.g. a GitHub stand-in), so a test can let a remote work and then stall it, or
 * make it slow but still sending (`throttle`).
 */
export async function startStalledRemote(
  options: { forwardTo?: number; silent?: boolean; throttle?: Throttle } = {},
): Promise<StalledRemote> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const remote: StalledRemote = {
    port: 0,
    silent: options.silent ?? true,
    throttle: options.throttle,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((socket) => {
    connections++;
    track(socket);
    if (remote.silent || options.forwardTo === undefined) return;
    const upstream = connect(options.forwardTo, '127.0.0.1');
    track(upstream);
    const slow = remote.throttle ? throttled(remote.throttle) : undefined;
    socket.pipe(upstream);
    // Each side ends the other once it has passed everything on (a throttle may lag behind).
    if (slow) upstream.pipe(slow).pipe(socket);
    else upstream.pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => {
      upstream.destroy();
      slow?.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  remote.port = address.port;
  return remote;
}

/** Passes everything on, `bytes` at a time with `everyMs` between them. */
function throttled({ bytes, everyMs }: Throttle): Transform {
  const stream: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let at = 0;
      const next = () => {
        if (stream.destroyed) return;
        if (at >= chunk.length) {
          done();
          return;
        }
        stream.push(chunk.subarray(at, at + bytes));
        at += bytes;
        setTimeout(next, everyMs);
      };
      next();
    },
  });
  return stream;
}

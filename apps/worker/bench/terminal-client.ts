/** The terminal benchmark's WebSocket client: what a browser tab does, minus the rendering. */
import { WebSocket } from 'ws';

export const ORIGIN = 'http://127.0.0.1:3000';
export const FLOOD = 'head -c 50000000 /dev/zero | base64';
export const PROMPT = 'READY> ';

/**
 * A lean contract client: counts bytes, keeps only a tail of the text, acks every frame. It
 * shares the machine's two cores with the producer and the worker, so it does no more per
 * frame than a browser tab must (parse, ack), minus the rendering.
 */
export class Client {
  bytes = 0;
  tail = '';
  lastSeq = 0;
  #waiters = new Set<() => void>();
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as {
        type: string;
        data?: string;
        seq?: number;
      };
      if (frame.type === 'output') {
        const data = frame.data!;
        this.bytes += Buffer.byteLength(data);
        // A frame of 4 KB or more is a tail by itself: no concatenation of the whole frame.
        this.tail = (data.length >= TAIL_CHARS ? data : this.tail + data).slice(-TAIL_CHARS);
        this.lastSeq = frame.seq!;
        ws.send(`{"type":"ack","seq":${frame.seq}}`);
      }
      for (const check of this.#waiters) check();
    });
  }
  static open(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { origin: ORIGIN }, perMessageDeflate: false });
      const client = new Client(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }
  input(data: string): void {
    this.ws.send(JSON.stringify({ type: 'input', data }));
  }
  /** Resolves once `test` holds, checked after every frame (no timer per frame). */
  until(test: () => boolean, timeoutMs = 60_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timeout; tail: ${JSON.stringify(this.tail.slice(-200))}`));
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }
}

const TAIL_CHARS = 4096;

/** Types a flood into the shell and waits for its end marker: bytes received, seconds taken. */
export async function floodOnce(
  client: Client,
  round: number,
): Promise<{ bytes: number; seconds: number }> {
  const before = client.bytes;
  client.tail = '';
  const started = performance.now();
  client.input(`${FLOOD}; echo DONE-$((20+${round}))\r`);
  await client.until(() => client.tail.includes(`DONE-${20 + round}\r\n`));
  return { bytes: client.bytes - before, seconds: (performance.now() - started) / 1000 };
}

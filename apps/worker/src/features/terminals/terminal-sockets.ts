import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

import { send, type Since, type Terminal } from './terminal';
import { handleClientFrame } from './terminal-frames';
import { TerminalLimits } from './terminal-limits';

/**
 * The terminals' WebSocket side once a request has passed its checks: the upgrade, a socket
 * attached to its terminal for as long as it is open, and protocol pings that close dead ones.
 */
export class TerminalSockets {
  readonly #logger: Logger;
  readonly #wss: WebSocketServer;
  readonly #alive = new WeakMap<WebSocket, boolean>();

  constructor(logger: Logger) {
    this.#logger = logger;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: TerminalLimits.HardMaxFrameBytes,
      perMessageDeflate: false,
    });
  }

  get size(): number {
    return this.#wss.clients.size;
  }

  /** Completes the upgrade and serves `terminal` on the new socket, replaying from `since`. */
  upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    terminal: Terminal,
    since: Since,
  ): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#serve(ws, terminal, since));
  }

  #serve(ws: WebSocket, terminal: Terminal, since: Since): void {
    this.#alive.set(ws, true);
    ws.on('pong', () => this.#alive.set(ws, true));
    const attached = terminal.attach(ws, since);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        handleClientFrame(ws, terminal, attached, data, isBinary);
      } catch (error) {
        // Nothing a client sends may take the worker down.
        this.#logger.warn({ err: error, terminalId: terminal.id }, 'terminal frame failed');
        send(ws, { type: 'error', code: 'internal_error', message: 'Could not handle that frame' });
      }
    });
    ws.on('close', () => terminal.detach(attached));
    ws.on('error', () => terminal.detach(attached));
  }

  /** Pings every socket; one that did not answer the previous ping is closed as dead. */
  pingAll(): void {
    for (const ws of this.#wss.clients) {
      if (this.#alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.#alive.set(ws, false);
      ws.ping();
    }
  }

  close(): void {
    this.#wss.close();
  }
}

/** A refused upgrade: a plain HTTP answer on the raw socket (no WebSocket exists yet). */
export function refuseUpgrade(
  socket: Duplex,
  status: 401 | 403 | 404,
  code: string,
  message: string,
): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

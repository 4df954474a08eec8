import { WebSocket } from 'ws';

export interface TerminalFrame {
  type: string;
  data?: string;
  seq?: number;
  code?: string;
  message?: string;
  exitCode?: number | null;
  terminalId?: string;
  cols?: number;
  rows?: number;
}

export interface TerminalClientOptions {
  origin?: string;
  /** Send an ack after every output frame (true), or never (false). */
  ack?: boolean;
  /** The seq this connection resumes from (its `since`): `lastSeq` until output arrives. */
  since?: number;
}

/**
 * A terminal socket client speaking the contract's frames, for tests and benchmarks: keeps
 * every frame, the output text in order and the last seq; acks like a browser would.
 */
export class TerminalClient {
  readonly ws: WebSocket;
  readonly frames: TerminalFrame[] = [];
  text = '';
  lastSeq = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket, options: TerminalClientOptions) {
    this.ws = ws;
    this.lastSeq = options.since ?? 0;
    ws.on('message', (raw) => {
      const frame = JSON.parse((raw as Buffer).toString('utf8')) as TerminalFrame;
      this.frames.push(frame);
      if (frame.type === 'output' && frame.data !== undefined && frame.seq !== undefined) {
        this.text += frame.data;
        this.lastSeq = frame.seq;
        if (options.ack) this.send({ type: 'ack', seq: frame.seq });
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        for (const wake of this.#waiters.splice(0)) wake();
        resolve({ code, reason: String(reason) });
      }),
    );
  }

  /** Connects, or rejects with the HTTP status of a refused upgrade (`error.status`). */
  static connect(url: string, options: TerminalClientOptions = {}): Promise<TerminalClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: options.origin ? { origin: options.origin } : {} });
      const client = new TerminalClient(ws, options);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        reject(
          Object.assign(new Error(`upgrade refused: ${res.statusCode}`), {
            status: res.statusCode,
          }),
        );
        res.resume();
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN)
      this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  input(data: string): void {
    this.send({ type: 'input', data });
  }

  /** Resolves once `test` holds (checked after every frame), rejects after `timeoutMs`. */
  async waitFor(
    test: RegExp | ((client: TerminalClient) => boolean),
    timeoutMs = 15_000,
  ): Promise<void> {
    const check = () => (typeof test === 'function' ? test(this) : test.test(this.text));
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(
          `timed out waiting for ${String(test)}; last output: ${JSON.stringify(this.text.slice(-300))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

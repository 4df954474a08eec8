/** The terminal benchmark's WebSocket client: what a browser tab does, minus the rendering. */
import { WebSocket } from 'ws';

export const ORIGIN = 'http://127.0.0.1:3000';
export const FLOOD = 'head -c 50000000 /dev/zero | base64';
export const PROMPT = 'READY> ';

/** A lean contract client: counts bytes, keeps only a tail of the text, acks every frame. */
export class Client {
  bytes = 0;
  tail = '';
  lastSeq = 0;
  #waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as {
        type: string;
        data?: string;
        seq?: number;
      };
      if (frame.type === 'output') {
        this.bytes += Buffer.byteLength(frame.data!);
        this.tail = (this.tail + frame.data!).slice(-4096);
        this.lastSeq = frame.seq!;
        ws.send(JSON.stringify({ type: 'ack', seq: frame.seq }));
      }
      for (const wake of this.#waiters.splice(0)) wake();
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
  async until(test: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(`timeout; tail: ${JSON.stringify(this.tail.slice(-200))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

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

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ACK_EVERY_BYTES, TerminalConnection, type TerminalStatus } from './terminal-connection';

/** Just enough of a browser WebSocket for the connection logic. */
class FakeSocket {
  static readonly OPEN = 1;
  readyState = 1;
  sent: unknown[] = [];
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {}
  frame(value: unknown) {
    this.onmessage?.({ data: JSON.stringify(value) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

describe('TerminalConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('window', new EventTarget());
    vi.stubGlobal('WebSocket', FakeSocket);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  function setup() {
    const sockets: FakeSocket[] = [];
    const queries: string[] = [];
    const written: string[] = [];
    const statuses: TerminalStatus[] = [];
    let ticket = 0;
    const connection = new TerminalConnection({
      sessionId: 'session0001',
      sink: {
        // Processed at once, as xterm would call back after parsing.
        write: (data, processed) => {
          written.push(data);
          processed();
        },
        notice: () => undefined,
      },
      onStatus: (s) => statuses.push(s),
      fetchConfig: (query) => {
        queries.push(query);
        ticket += 1;
        return Promise.resolve({
          wsUrl: `ws://worker/terminals/term000001/ws?ticket=t${ticket}`,
          terminalId: 'term000001',
          expiresAt: new Date().toISOString(),
        });
      },
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
    });
    return { connection, sockets, queries, written, statuses };
  }

  it('resumes after a drop with a fresh ticket for the same terminal and since=<last seq>', async () => {
    const { connection, sockets, queries, written } = setup();
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    expect(queries[0]).toBe('sessionId=session0001');
    expect(sockets[0]!.url).not.toContain('since=');
    sockets[0]!.frame({ type: 'connected', terminalId: 'term000001', seq: 0 });
    sockets[0]!.frame({ type: 'output', data: 'hello ', seq: 6 });
    sockets[0]!.frame({ type: 'output', data: 'world', seq: 11 });
    sockets[0]!.drop();

    await vi.advanceTimersByTimeAsync(20_000);
    expect(sockets).toHaveLength(2);
    expect(queries[1]).toBe('sessionId=session0001&terminalId=term000001');
    expect(new URL(sockets[1]!.url).searchParams.get('since')).toBe('11');
    expect(new URL(sockets[1]!.url).searchParams.get('ticket')).toBe('t2');
    sockets[1]!.frame({ type: 'connected', terminalId: 'term000001', seq: 11 });
    sockets[1]!.frame({ type: 'output', data: '!', seq: 12 });
    expect(written.join('')).toBe('hello world!');
    connection.dispose();
  });

  it('acks every ~5 KB processed and sends the last size once connected', async () => {
    const { connection, sockets } = setup();
    connection.resize(120, 40);
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    socket.frame({ type: 'connected', terminalId: 'term000001', seq: 0 });
    expect(socket.sent).toEqual([{ type: 'resize', cols: 120, rows: 40 }]);
    const chunk = 'x'.repeat(1000);
    for (let seq = 1000; seq <= 12_000; seq += 1000)
      socket.frame({ type: 'output', data: chunk, seq });
    const acks = socket.sent.filter((f) => (f as { type: string }).type === 'ack');
    expect(acks).toEqual([
      { type: 'ack', seq: ACK_EVERY_BYTES },
      { type: 'ack', seq: ACK_EVERY_BYTES * 2 },
    ]);
    connection.dispose();
  });

  it('stops reconnecting when the shell exits or the terminal is gone', async () => {
    const { connection, sockets, statuses } = setup();
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    sockets[0]!.frame({ type: 'connected', terminalId: 'term000001', seq: 0 });
    sockets[0]!.frame({ type: 'exit', exitCode: 0 });
    sockets[0]!.drop(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toEqual({ kind: 'exited', exitCode: 0 });
    connection.dispose();
  });
});

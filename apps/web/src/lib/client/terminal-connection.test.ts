import type { TerminalConfigResponse } from '@grove/contract';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '@/lib/api/browser';

import {
  ACK_EVERY_BYTES,
  shellEnded,
  TerminalConnection,
  type TerminalConnectionOptions,
  type TerminalStatus,
} from './terminal-connection';

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

  function setup({
    deferProcessing = false,
    ...options
  }: { deferProcessing?: boolean } & Partial<TerminalConnectionOptions> = {}) {
    const sockets: FakeSocket[] = [];
    const queries: string[] = [];
    const written: string[] = [];
    const statuses: TerminalStatus[] = [];
    /** What reached the sink, in order. */
    const sinkLog: string[] = [];
    /** With deferProcessing: xterm's write callbacks, called when the test says so. */
    const unprocessed: (() => void)[] = [];
    let ticket = 0;
    const connection = new TerminalConnection({
      sessionId: 'session0001',
      sink: {
        // Processed at once, as xterm would call back after parsing (unless deferred).
        write: (data, processed) => {
          written.push(data);
          sinkLog.push(`write ${data}`);
          if (deferProcessing) unprocessed.push(processed);
          else processed();
        },
        notice: () => undefined,
        beginReplay: (cols, rows) => sinkLog.push(`beginReplay ${cols}x${rows}`),
        endReplay: () => sinkLog.push('endReplay'),
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
      ...options,
    });
    return { connection, sockets, queries, written, statuses, sinkLog, unprocessed };
  }

  const resizes = (socket: FakeSocket) =>
    socket.sent.filter((f) => (f as { type: string }).type === 'resize');

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

  it('renders the replay at the size it was produced at, then fits and only then resizes', async () => {
    const { connection, sockets, sinkLog, unprocessed } = setup({ deferProcessing: true });
    connection.resize(40, 20); // a phone
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    socket.frame({ type: 'connected', terminalId: 'term000001', seq: 11, cols: 120, rows: 40 });
    expect(sinkLog).toEqual(['beginReplay 120x40']);
    // xterm reports the replay's size through onResize: recorded, not sent.
    connection.resize(120, 40);
    expect(resizes(socket)).toEqual([]);

    socket.frame({ type: 'output', data: 'hello ', seq: 6 });
    socket.frame({ type: 'output', data: 'world', seq: 11 });
    expect(sinkLog).toEqual(['beginReplay 120x40', 'write hello ', 'write world']);
    unprocessed.shift()!();
    expect(resizes(socket)).toEqual([]);
    unprocessed.shift()!(); // the replay is processed: fit, then resize
    expect(sinkLog.at(-1)).toBe('endReplay');
    // The fit's onResize is held until the replay ended.
    expect(resizes(socket)).toEqual([{ type: 'resize', cols: 120, rows: 40 }]);
    connection.resize(40, 20);
    expect(resizes(socket).at(-1)).toEqual({ type: 'resize', cols: 40, rows: 20 });

    // Live output afterwards is just written.
    socket.frame({ type: 'output', data: '!', seq: 12 });
    unprocessed.shift()!();
    expect(sinkLog.slice(-2)).toEqual(['endReplay', 'write !']);
    connection.dispose();
  });

  it('resizes at each size change within a replay, after what came before it is processed', async () => {
    const { connection, sockets, sinkLog, unprocessed } = setup({ deferProcessing: true });
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    socket.frame({ type: 'connected', terminalId: 'term000001', seq: 10, cols: 80, rows: 24 });
    socket.frame({ type: 'output', data: 'abc', seq: 3 });
    socket.frame({ type: 'resize', cols: 120, rows: 40, seq: 3 });
    socket.frame({ type: 'output', data: 'defghij', seq: 10 });
    // Nothing processed yet: still at the replay's first size.
    expect(sinkLog).toEqual(['beginReplay 80x24', 'write abc', 'write ', 'write defghij']);
    unprocessed.shift()!(); // abc
    expect(sinkLog.at(-1)).toBe('write defghij');
    unprocessed.shift()!(); // the marker: resized before defghij is parsed
    expect(sinkLog.at(-1)).toBe('beginReplay 120x40');
    unprocessed.shift()!();
    expect(sinkLog.at(-1)).toBe('endReplay');
    // Live, a resize frame means nothing (the worker sends none; a stray one is ignored).
    socket.frame({ type: 'resize', cols: 50, rows: 20, seq: 10 });
    expect(sinkLog.at(-1)).toBe('endReplay');
    connection.dispose();
  });

  it("does not type xterm's answers to replayed queries into the shell", async () => {
    const { connection, sockets, unprocessed } = setup({ deferProcessing: true });
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    const inputs = () => socket.sent.filter((f) => (f as { type: string }).type === 'input');
    socket.frame({ type: 'connected', terminalId: 'term000001', seq: 8, cols: 80, rows: 24 });
    // vim's old device-attributes query, replayed: xterm answers it while parsing.
    socket.frame({ type: 'output', data: '\x1b[c vim', seq: 8 });
    connection.input('\x1b[?1;2c');
    expect(inputs()).toEqual([]);
    unprocessed.shift()!(); // the replay is processed: input flows again
    connection.input('ls\r');
    expect(inputs()).toEqual([{ type: 'input', data: 'ls\r' }]);
    connection.dispose();
  });

  it('holds resizes from opening the socket until the replay ends, also when resuming', async () => {
    const { connection, sockets, sinkLog } = setup();
    connection.resize(40, 20);
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    connection.resize(41, 20); // a fit before `connected`
    expect(resizes(sockets[0]!)).toEqual([]);
    sockets[0]!.frame({ type: 'connected', terminalId: 'term000001', seq: 5, cols: 120, rows: 40 });
    expect(resizes(sockets[0]!)).toEqual([]);
    sockets[0]!.frame({ type: 'output', data: 'hello', seq: 5 });
    expect(resizes(sockets[0]!)).toEqual([{ type: 'resize', cols: 41, rows: 20 }]);
    sockets[0]!.drop();

    // Resuming with nothing to replay (connected.seq = since): resized at once, no size change.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(new URL(sockets[1]!.url).searchParams.get('since')).toBe('5');
    sinkLog.length = 0;
    sockets[1]!.frame({ type: 'connected', terminalId: 'term000001', seq: 5, cols: 120, rows: 40 });
    expect(sinkLog).toEqual(['endReplay']);
    expect(resizes(sockets[1]!)).toEqual([{ type: 'resize', cols: 41, rows: 20 }]);
    sockets[1]!.drop();

    // Resuming with output missed meanwhile: replayed at the recorded size first.
    await vi.advanceTimersByTimeAsync(20_000);
    sinkLog.length = 0;
    sockets[2]!.frame({ type: 'connected', terminalId: 'term000001', seq: 8, cols: 100, rows: 30 });
    expect(resizes(sockets[2]!)).toEqual([]);
    sockets[2]!.frame({ type: 'output', data: 'abc', seq: 8 });
    expect(sinkLog).toEqual(['beginReplay 100x30', 'write abc', 'endReplay']);
    expect(resizes(sockets[2]!)).toEqual([{ type: 'resize', cols: 41, rows: 20 }]);
    connection.dispose();
  });

  it('replays as is when connected carries no size (a server sending the contract frame only)', async () => {
    const { connection, sockets, sinkLog } = setup();
    connection.resize(80, 24);
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    sockets[0]!.frame({ type: 'connected', terminalId: 'term000001', seq: 3 });
    expect(resizes(sockets[0]!)).toEqual([]);
    sockets[0]!.frame({ type: 'output', data: 'abc', seq: 3 });
    expect(sinkLog).toEqual(['write abc', 'endReplay']);
    expect(resizes(sockets[0]!)).toEqual([{ type: 'resize', cols: 80, rows: 24 }]);
    connection.dispose();
  });

  it('ends a replay cut short by exit once what was written of it is processed', async () => {
    const { connection, sockets, sinkLog, unprocessed } = setup({ deferProcessing: true });
    connection.resize(40, 20);
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    sockets[0]!.frame({ type: 'connected', terminalId: 'term000001', seq: 9, cols: 120, rows: 40 });
    sockets[0]!.frame({ type: 'output', data: 'bye', seq: 3 });
    sockets[0]!.frame({ type: 'exit', exitCode: 0 });
    expect(sinkLog).not.toContain('endReplay');
    for (const processed of unprocessed.splice(0)) processed();
    expect(sinkLog.at(-1)).toBe('endReplay');
    expect(resizes(sockets[0]!)).toEqual([{ type: 'resize', cols: 40, rows: 20 }]);
    connection.dispose();
  });

  /** What the web answers past GROVE_MAX_TERMINALS_PER_USER (the worker's 429). */
  const limitError = () =>
    new ApiError(429, 'terminal_limit', 'At most 5 live terminals per user; close one first', 10);

  it('gives up on a new terminal refused for the limit: no retry that starts one later', async () => {
    const queries: string[] = [];
    const { connection, sockets, statuses } = setup({
      fetchConfig: (query) => {
        queries.push(query);
        return Promise.reject(limitError());
      },
    });
    connection.start();
    await vi.waitFor(() => expect(statuses.at(-1)?.kind).toBe('failed'));
    expect(statuses.at(-1)).toEqual({ kind: 'failed', message: limitError().message });
    // Another terminal closing meanwhile must not make this one appear.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(queries).toEqual(['sessionId=session0001']);
    expect(sockets).toHaveLength(0);
    connection.dispose();
  });

  it('lets an existing terminal refused with 429 (its shell to restart) retry after retryAfter', async () => {
    const queries: string[] = [];
    const { connection, sockets, statuses } = setup({
      terminalId: 'term000001',
      fetchConfig: (query) => {
        queries.push(query);
        if (queries.length === 1) return Promise.reject(limitError());
        return Promise.resolve({
          wsUrl: 'ws://worker/terminals/term000001/ws?ticket=t2',
          terminalId: 'term000001',
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        });
      },
    });
    connection.start();
    await vi.waitFor(() => expect(statuses.at(-1)?.kind).toBe('reconnecting'));
    // Nothing was lost: it waits its turn, and says so.
    expect(statuses.at(-1)).toMatchObject({ inMs: 10_000, waiting: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(queries).toEqual([
      'sessionId=session0001&terminalId=term000001',
      'sessionId=session0001&terminalId=term000001',
    ]);
    expect(sockets).toHaveLength(1);
    connection.dispose();
  });

  it('connects first with the ticket the new terminal came with, then with fresh ones', async () => {
    const ticket: TerminalConfigResponse = {
      wsUrl: 'ws://worker/terminals/term000001/ws?ticket=made',
      terminalId: 'term000001',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    };
    const { connection, sockets, queries } = setup({ terminalId: 'term000001', ticket });
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    expect(queries).toEqual([]);
    expect(new URL(sockets[0]!.url).searchParams.get('ticket')).toBe('made');
    sockets[0]!.frame({ type: 'connected', terminalId: 'term000001', seq: 0 });
    sockets[0]!.drop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(queries).toEqual(['sessionId=session0001&terminalId=term000001']);
    expect(new URL(sockets[1]!.url).searchParams.get('ticket')).toBe('t1');
    connection.dispose();
  });

  it('asks for a fresh ticket when the one it was given has expired', async () => {
    const ticket: TerminalConfigResponse = {
      wsUrl: 'ws://worker/terminals/term000001/ws?ticket=old',
      terminalId: 'term000001',
      expiresAt: new Date(Date.now() - 1).toISOString(),
    };
    const { connection, sockets, queries } = setup({ terminalId: 'term000001', ticket });
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    expect(queries).toEqual(['sessionId=session0001&terminalId=term000001']);
    expect(new URL(sockets[0]!.url).searchParams.get('ticket')).toBe('t1');
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
    expect(shellEnded({ exitCode: 0 })).toBe('Shell exited with code 0.');
    connection.dispose();
  });

  it('says a shell a signal ended was ended by it, not that it exited with code 0', async () => {
    const { connection, sockets, statuses } = setup();
    connection.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    sockets[0]!.frame({ type: 'connected', terminalId: 'term000001', seq: 0 });
    sockets[0]!.frame({ type: 'exit', exitCode: null, signal: 9 });
    const last = statuses.at(-1);
    expect(last).toEqual({ kind: 'exited', exitCode: null, signal: 9 });
    expect(shellEnded(last as { exitCode: null; signal: number })).toBe('Shell ended by signal 9.');
    connection.dispose();
  });
});

import { serverFrameSchema, type ClientFrame, type TerminalConfigResponse } from '@grove/contract';

import { ApiError, apiFetch } from '@/lib/api/browser';

import { backoffDelay } from './backoff';

/** Ack after this many bytes the terminal has processed (VS Code's CharCountAckSize). */
export const ACK_EVERY_BYTES = 5_000;
/** Keeps idle sockets from being cut by proxies that drop quiet connections. */
export const PING_INTERVAL_MS = 25_000;
/** The worker closes with this when the terminal no longer exists. */
const CLOSE_TERMINAL_GONE = 4004;

export type TerminalStatus =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  /** `waiting`: nothing was lost; the terminal waits for a free slot under the user's limit. */
  | { kind: 'reconnecting'; inMs: number; reason: string; waiting?: boolean }
  /** `signal`: a signal ended the shell (`kill -9`: 9); its exitCode is then null. */
  | { kind: 'exited'; exitCode: number | null; signal?: number }
  | { kind: 'failed'; message: string };

/** How a shell ended, as the terminal's status line says it. */
export function shellEnded(status: { exitCode: number | null; signal?: number }): string {
  if (status.signal !== undefined) return `Shell ended by signal ${status.signal}.`;
  return `Shell exited${status.exitCode === null ? '' : ` with code ${status.exitCode}`}.`;
}

/** Where output goes: xterm's `write(data, callback)`, the callback once it is processed. */
export interface TerminalSink {
  write: (data: string, processed: () => void) => void;
  notice: (message: string) => void;
  /**
   * The replay that follows was produced at this size: render it there (cursor movement and
   * wrapping only come out right at the width the shell wrote for) and do not fit meanwhile.
   * Called again within a replay where the PTY was resized.
   */
  beginReplay: (cols: number, rows: number) => void;
  /** The replay is processed: fit to the container again (xterm reflows what it holds). */
  endReplay: () => void;
}

export interface TerminalConnectionOptions {
  sessionId: string;
  /** An existing terminal to attach to; absent ⇒ the first ticket makes a new one. */
  terminalId?: string | undefined;
  /**
   * A ticket already issued for `terminalId` (by the request that made the terminal): the
   * first connect uses it, while it is valid, instead of asking for another.
   */
  ticket?: TerminalConfigResponse | undefined;
  sink: TerminalSink;
  onStatus: (status: TerminalStatus) => void;
  onTerminalId?: (terminalId: string) => void;
  /** Injection points for tests. */
  createSocket?: (url: string) => WebSocket;
  fetchConfig?: (query: string) => Promise<TerminalConfigResponse>;
}

/**
 * One terminal's socket: fetches a fresh single-use ticket for every (re)connect, resumes
 * with `since=<last seq received>` so no output is missed or repeated, acks processed output
 * for the worker's flow control, and reconnects with jittered backoff until disposed or the
 * shell exits.
 */
export class TerminalConnection {
  readonly #options: TerminalConnectionOptions;
  #terminalId: string | undefined;
  #ticket: TerminalConfigResponse | undefined;
  #socket: WebSocket | undefined;
  #lastSeq = 0;
  #lastAcked = 0;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #size: { cols: number; rows: number } | undefined;
  /** The `since` this socket was opened with (0 without one). */
  #since = 0;
  /**
   * From opening a socket until its replay is processed: sizes are only recorded, the PTY is
   * resized after the replay, so the replay is not redrawn for a size it was not written at.
   */
  #holdResize = false;
  /** While replaying: the seq (from `connected`) whose output ends the replay. */
  #replayUntil: number | undefined;
  /** From `connected` until the replay is processed (its last output frame may have arrived). */
  #replaying = false;
  #disposed = false;
  #exited = false;

  constructor(options: TerminalConnectionOptions) {
    this.#options = options;
    this.#terminalId = options.terminalId;
    this.#ticket = options.ticket;
  }

  get terminalId(): string | undefined {
    return this.#terminalId;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  start(): void {
    window.addEventListener('online', this.#onOnline);
    void this.#connect();
  }

  /** Starts a fresh shell in an exited terminal (the worker respawns it, scrollback kept). */
  restart(): void {
    this.#exited = false;
    this.#attempt = 0;
    void this.#connect();
  }

  /**
   * Keystrokes for the shell. Dropped while a replay renders: xterm answers the queries in old
   * output (cursor position, device attributes, colours) through the same channel, and those
   * answers would be typed into the shell, which asked nothing now. A replay takes a moment.
   */
  input(data: string): void {
    if (this.#replaying) return;
    this.#send({ type: 'input', data });
  }

  resize(cols: number, rows: number): void {
    this.#size = { cols, rows };
    if (!this.#holdResize) this.#send({ type: 'resize', cols, rows });
  }

  dispose(): void {
    this.#disposed = true;
    window.removeEventListener('online', this.#onOnline);
    clearTimeout(this.#timer);
    clearInterval(this.#ping);
    this.#socket?.close(1000, 'closed by the page');
  }

  readonly #onOnline = () => {
    // The network is back: do not sit out the rest of a long backoff.
    if (this.#timer !== undefined && !this.#socket) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#connect();
    }
  };

  #send(frame: ClientFrame): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  async #connect(): Promise<void> {
    if (this.#disposed) return;
    this.#options.onStatus({ kind: 'connecting' });
    const query = new URLSearchParams({ sessionId: this.#options.sessionId });
    if (this.#terminalId) query.set('terminalId', this.#terminalId);
    const issued = this.#ticket;
    this.#ticket = undefined;
    let config: TerminalConfigResponse;
    try {
      config =
        issued && Date.parse(issued.expiresAt) > Date.now()
          ? issued
          : await (this.#options.fetchConfig ?? defaultFetchConfig)(query.toString());
    } catch (error) {
      if (error instanceof ApiError && [401, 403, 404, 409, 422].includes(error.status)) {
        this.#options.onStatus({ kind: 'failed', message: error.message });
        return;
      }
      // A new terminal refused (too many live ones): asking again would start a shell later,
      // unasked, once another one closes. A terminal that exists may wait for its turn.
      if (error instanceof ApiError && error.status === 429 && !this.#terminalId) {
        this.#options.onStatus({ kind: 'failed', message: error.message });
        return;
      }
      const retryAfterMs =
        error instanceof ApiError && error.retryAfter ? error.retryAfter * 1000 : undefined;
      const waiting = error instanceof ApiError && error.code === 'terminal_limit';
      this.#retry(error instanceof Error ? error.message : String(error), retryAfterMs, waiting);
      return;
    }
    if (this.#disposed) return;
    if (this.#terminalId !== config.terminalId) {
      this.#terminalId = config.terminalId;
      this.#options.onTerminalId?.(config.terminalId);
    }
    const url = new URL(config.wsUrl);
    if (this.#lastSeq > 0) url.searchParams.set('since', String(this.#lastSeq));
    const socket = (this.#options.createSocket ?? ((u) => new WebSocket(u)))(url.toString());
    this.#socket = socket;
    this.#since = this.#lastSeq;
    this.#holdResize = true;
    this.#replayUntil = undefined;
    socket.onmessage = (event) => this.#onFrame(socket, event.data);
    socket.onclose = (event) => this.#onClose(socket, event.code, event.reason);
  }

  #onFrame(socket: WebSocket, raw: unknown): void {
    if (typeof raw !== 'string') return;
    const parsed = serverFrameSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return;
    const frame = parsed.data;
    switch (frame.type) {
      case 'connected':
        this.#attempt = 0;
        this.#lastAcked = this.#lastSeq;
        this.#options.onStatus({ kind: 'connected' });
        clearInterval(this.#ping);
        this.#ping = setInterval(() => this.#send({ type: 'ping' }), PING_INTERVAL_MS);
        this.#beginReplay(socket, frame.seq, frame.cols, frame.rows);
        break;
      case 'output': {
        const seq = frame.seq;
        this.#lastSeq = seq;
        const last = this.#replayUntil !== undefined && seq >= this.#replayUntil;
        if (last) this.#replayUntil = undefined;
        this.#options.sink.write(frame.data, () => {
          this.#processed(seq);
          if (last) this.#endReplay(socket);
        });
        break;
      }
      case 'resize': {
        // The replay's output from here on was produced at another size: resize once what came
        // before is processed (xterm applies writes in order; a resize is immediate).
        if (this.#replayUntil === undefined) break;
        const { cols, rows } = frame;
        this.#options.sink.write('', () => this.#options.sink.beginReplay(cols, rows));
        break;
      }
      case 'exit':
        // Nothing follows an exit: the replay ends once what was written of it is processed.
        if (this.#replayUntil !== undefined) {
          this.#replayUntil = undefined;
          this.#options.sink.write('', () => this.#endReplay(socket));
        }
        this.#exited = true;
        this.#options.onStatus({
          kind: 'exited',
          exitCode: frame.exitCode,
          ...(frame.signal === undefined ? {} : { signal: frame.signal }),
        });
        break;
      case 'error':
        this.#options.sink.notice(frame.message);
        break;
      case 'pong':
        break;
    }
  }

  /**
   * The worker replays every kept byte after `since` up to `seq`, produced at `cols`×`rows`
   * (absent from servers that send only the contract's frame: the replay is drawn as is).
   */
  #beginReplay(
    socket: WebSocket,
    seq: number,
    cols: number | undefined,
    rows: number | undefined,
  ): void {
    if (seq === this.#since) {
      this.#endReplay(socket);
      return;
    }
    this.#replayUntil = seq;
    this.#replaying = true;
    if (cols !== undefined && rows !== undefined) this.#options.sink.beginReplay(cols, rows);
  }

  /** Fits again (a fit reports its size through `resize`, held until now), then sends it. */
  #endReplay(socket: WebSocket): void {
    this.#replaying = false;
    this.#options.sink.endReplay();
    // A socket opened since holds its sizes until its own replay ends.
    if (this.#socket !== socket) return;
    this.#holdResize = false;
    if (this.#size) this.#send({ type: 'resize', ...this.#size });
  }

  #processed(seq: number): void {
    if (seq - this.#lastAcked >= ACK_EVERY_BYTES) {
      this.#lastAcked = seq;
      this.#send({ type: 'ack', seq });
    }
  }

  #onClose(socket: WebSocket, code: number, reason: string): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    clearInterval(this.#ping);
    // Cut mid-replay: fit again rather than stay at the replay's size if no socket comes back.
    if (this.#replayUntil !== undefined) {
      this.#replayUntil = undefined;
      this.#options.sink.endReplay();
    }
    this.#replaying = false;
    if (this.#disposed || this.#exited) return;
    if (code === CLOSE_TERMINAL_GONE) {
      this.#options.onStatus({ kind: 'failed', message: reason || 'The terminal is gone' });
      return;
    }
    this.#retry(reason || `connection closed (${code})`);
  }

  #retry(reason: string, atLeastMs = 0, waiting = false): void {
    if (this.#disposed) return;
    const inMs = Math.max(atLeastMs, backoffDelay(this.#attempt));
    this.#attempt += 1;
    this.#options.onStatus({ kind: 'reconnecting', inMs, reason, ...(waiting ? { waiting } : {}) });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, inMs);
  }
}

function defaultFetchConfig(query: string): Promise<TerminalConfigResponse> {
  return apiFetch<TerminalConfigResponse>(`/api/terminal/config?${query}`, { cache: 'no-store' });
}

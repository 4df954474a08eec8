import type { ServerFrame } from '@grove/contract';
import type { IPty } from 'node-pty';
import * as pty from 'node-pty';
import type { WebSocket } from 'ws';

import { OutputBuffer, skipPartialCharacter, utf8BoundaryLength } from './output-buffer';
import { TerminalCloseCodes, TerminalLimits } from './terminal-limits';

export interface TerminalOptions {
  id: string;
  sessionId: string;
  userId: string;
  cwd: string;
  env: Record<string, string>;
  shell: string;
  cols: number;
  rows: number;
  bufferBytes: number;
  /** Scrollback of a previous shell with this id, where it ended, and why. */
  previous?: PreviousShell | undefined;
  createdAt?: string | undefined;
}

interface Attached {
  ws: WebSocket;
  /** Highest seq sent to this socket. */
  sent: number;
  /** Highest seq this socket acknowledged. */
  acked: number;
  /** Ack-based flow control applies once a client has sent its first ack. */
  acks: boolean;
  /** When this socket started holding the PTY paused, if it does. */
  blockingSince: number | undefined;
}

/** After SIGKILL, how long kill() waits for the shell to be reaped before it gives up waiting. */
const REAP_AFTER_SIGKILL_MS = 1_000;

/** Size changes remembered for replays; a client resizing without end does not grow this past it. */
const MAX_SIZE_CHANGES = 256;

/** From `seq` on, the output was produced at `cols`×`rows`. */
interface SizeChange {
  seq: number;
  cols: number;
  rows: number;
}

/**
 * `since` as the socket's URL gave it: absent, a byte count, or something that is not one
 * (`abc`, `-1`, `1.5`, empty), kept as given for the error frame.
 */
export type Since = number | { invalid: string } | undefined;

/** Reads the `since` query parameter: only a whole number of bytes (digits) is one. */
export function parseSince(param: string | null): Since {
  if (param === null) return undefined;
  return /^\d+$/.test(param) ? Number(param) : { invalid: param };
}

/** Why a terminal's previous shell is gone, for the line a fresh shell starts under. */
export type ShellEnd =
  /** It exited by itself (`exit`, end of input). */
  | { reason: 'exited'; exitCode: number }
  /** A signal ended it (reaped when idle, `kill -9`); null once only SQLite remembers it. */
  | { reason: 'signal'; signal: number | null }
  /** It was still running when the worker stopped (a row restored as `previous`). */
  | { reason: 'worker_restarted' };

export interface PreviousShell {
  scrollback: Buffer;
  seq: number;
  end: ShellEnd;
}

/** The dim line between a previous shell's scrollback and the fresh shell's output. */
export function previousShellMarker(end: ShellEnd): string {
  const ended =
    end.reason === 'exited'
      ? `exited with code ${end.exitCode}`
      : end.reason === 'signal'
        ? `was ended by ${end.signal === null ? 'a signal' : `signal ${end.signal}`}`
        : 'ended (the worker restarted)';
  return `\r\n\x1b[2m──── previous shell ${ended}; this is a new shell ────\x1b[0m\r\n`;
}

/**
 * One PTY (a login shell in the worktree) and everything around it: output numbered by byte
 * offset, a bounded replay buffer, batching, per-socket acknowledgements and the
 * high/low-watermark pause of the PTY. Sockets come and go; the PTY stays until it exits
 * or is killed.
 */
export class Terminal {
  readonly id: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly buffer: OutputBuffer;
  exitCode: number | null | undefined = undefined;
  /** The signal that ended the shell, if one did. */
  exitSignal: number | undefined = undefined;
  /** Last input, resize, output or attach; heartbeats do not count. */
  lastActivity = Date.now();
  /** When this shell started, and whether any client has connected to it since. */
  readonly spawnedAt = Date.now();
  attachedOnce = false;
  /** Set when output arrived since the scrollback was last persisted. */
  dirty = false;
  cols: number;
  rows: number;

  readonly #pty: IPty;
  readonly #sockets = new Set<Attached>();
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes of an incomplete UTF-8 character held back from the last frame. */
  #carry: Buffer = Buffer.alloc(0);
  #flushTimer: NodeJS.Timeout | undefined;
  #paused = false;
  #drainTimer: NodeJS.Timeout | undefined;
  #windowStart = 0;
  #windowBytes = 0;
  /**
   * With no socket attached: the seq the last viewer had acknowledged. Output past it is held
   * (PTY paused) once it would no longer fit the buffer, so a returning viewer loses nothing.
   */
  #unseenFrom = 0;
  /**
   * The sizes the kept output was produced at, oldest first: a replay resizes the client at
   * each change, as a client watching all along was resized, so what was drawn for one width
   * is not redrawn at another. The first entry covers everything before the second.
   */
  #sizes: SizeChange[];
  readonly #exitListeners: ((terminal: Terminal) => void)[] = [];
  readonly #attachListeners: ((terminal: Terminal, count: number) => void)[] = [];

  constructor(options: TerminalOptions) {
    this.id = options.id;
    this.sessionId = options.sessionId;
    this.userId = options.userId;
    this.cols = options.cols;
    this.rows = options.rows;
    this.createdAt = options.createdAt ?? new Date().toISOString();
    const previous = options.previous;
    this.buffer = new OutputBuffer(
      options.bufferBytes,
      previous ? previous.seq - previous.scrollback.length : 0,
    );
    if (previous) {
      this.buffer.append(previous.scrollback);
      this.buffer.append(Buffer.from(previousShellMarker(previous.end)));
    }
    this.#sizes = [{ seq: this.buffer.start, cols: options.cols, rows: options.rows }];
    this.#pty = pty.spawn(options.shell, ['-l'], {
      name: 'xterm-256color',
      cols: options.cols,
      rows: options.rows,
      cwd: options.cwd,
      env: options.env,
      encoding: null,
    });
    this.#pty.onData((data) => this.#onData(data as unknown as Buffer));
    this.#pty.onExit(({ exitCode, signal }) => this.#onExit(exitCode, signal));
  }

  get pid(): number {
    return this.#pty.pid;
  }

  get seq(): number {
    return this.buffer.end;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get socketCount(): number {
    return this.#sockets.size;
  }

  onExit(listener: (terminal: Terminal) => void): void {
    this.#exitListeners.push(listener);
  }

  /** Called with the new socket count whenever a socket attaches or detaches. */
  onSocketsChange(listener: (terminal: Terminal, count: number) => void): void {
    this.#attachListeners.push(listener);
  }

  write(data: string): void {
    if (!this.running) return;
    this.lastActivity = Date.now();
    this.#pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.running) return;
    this.lastActivity = Date.now();
    if (cols !== this.cols || rows !== this.rows) {
      // Output read before the resize was produced at the old size: it gets its seq first.
      this.#flush();
      this.#recordSize({ seq: this.seq, cols, rows });
    }
    this.cols = cols;
    this.rows = rows;
    this.#pty.resize(cols, rows);
  }

  #recordSize(change: SizeChange): void {
    const sizes = this.#sizes;
    if (sizes.at(-1)!.seq === change.seq) sizes.pop();
    sizes.push(change);
    // Changes before the kept output's start only matter as the size it starts at.
    while (sizes.length > 1 && sizes[1]!.seq <= this.buffer.start) sizes.shift();
    if (sizes.length > MAX_SIZE_CHANGES) sizes.shift();
  }

  /** The size at `seq`, then every later change, for a replay from `seq`. */
  #sizesFrom(seq: number): SizeChange[] {
    const later = this.#sizes.filter((change) => change.seq > seq);
    const before = this.#sizes.filter((change) => change.seq <= seq).at(-1) ?? this.#sizes[0]!;
    return [{ ...before, seq }, ...later];
  }

  /**
   * Attaches a socket: `connected`, then every kept byte after `since` (all kept bytes when
   * `since` is absent), then live output. Bytes asked for but no longer kept are reported
   * with an `output_lost` error frame before the replay. A `since` that is no byte count
   * (not a whole number) or past the terminal's output gets an `invalid_since` error frame
   * and every kept byte, as if it were absent. `connected` carries the size the
   * replay was produced at, and a `resize` frame marks each place the PTY was resized within
   * it: a client of another width renders the replay at those sizes, then fits and resizes.
   */
  attach(ws: WebSocket, since: Since): Attached {
    this.lastActivity = Date.now();
    this.attachedOnce = true;
    this.#flush();
    const attached: Attached = { ws, sent: 0, acked: 0, acks: false, blockingSince: undefined };
    const invalidSince =
      typeof since === 'object'
        ? `since=${JSON.stringify(since.invalid.slice(0, 40))} is not a byte count (a whole number, 0 or more); replaying what is kept`
        : since !== undefined && since > this.seq
          ? `since=${since} is past this terminal's output (${this.seq}); replaying what is kept`
          : undefined;
    const from = typeof since === 'number' && !invalidSince ? since : this.buffer.start;
    const replay = this.buffer.since(from);
    let offset = replay.from;
    let data = replay.data;
    const skip = skipPartialCharacter(data);
    offset += skip;
    data = data.subarray(skip);
    const [size, ...changes] = this.#sizesFrom(offset);
    send(ws, {
      type: 'connected',
      terminalId: this.id,
      seq: this.seq,
      cols: size!.cols,
      rows: size!.rows,
    });
    if (invalidSince) send(ws, { type: 'error', code: 'invalid_since', message: invalidSince });
    if (replay.lost > 0) {
      send(ws, {
        type: 'error',
        code: 'output_lost',
        message: `${replay.lost} bytes of output before seq ${replay.from} are no longer kept`,
      });
    }
    while (data.length > 0) {
      const change = changes[0];
      if (change && change.seq <= offset) {
        send(ws, { type: 'resize', cols: change.cols, rows: change.rows, seq: change.seq });
        changes.shift();
        continue;
      }
      const piece = data.subarray(
        0,
        Math.min(TerminalLimits.BatchMaxBytes, change ? change.seq - offset : Infinity),
      );
      const length =
        piece.length === data.length ? piece.length : utf8BoundaryLength(piece) || piece.length;
      offset += length;
      send(ws, { type: 'output', data: data.subarray(0, length).toString('utf8'), seq: offset });
      data = data.subarray(length);
    }
    attached.sent = offset;
    attached.acked = replay.from;
    this.#sockets.add(attached);
    // A viewer is back: output held for lack of one may flow again.
    this.#updateFlowControl();
    if (!this.running) send(ws, this.#exitFrame());
    for (const listener of this.#attachListeners) listener(this, this.#sockets.size);
    return attached;
  }

  detach(attached: Attached): void {
    if (!this.#sockets.delete(attached)) return;
    if (this.#sockets.size === 0) this.#unseenFrom = attached.acked;
    this.#updateFlowControl();
    for (const listener of this.#attachListeners) listener(this, this.#sockets.size);
  }

  acknowledge(attached: Attached, seq: number): void {
    attached.acks = true;
    attached.acked = Math.min(Math.max(attached.acked, seq), attached.sent);
    this.#updateFlowControl();
  }

  /** Closes sockets that hold the PTY paused for too long; they can come back with `since`. */
  closeSlowSockets(now = Date.now()): void {
    for (const attached of this.#sockets) {
      if (
        attached.blockingSince !== undefined &&
        now - attached.blockingSince > TerminalLimits.SlowClientTimeoutMs
      ) {
        attached.ws.close(TerminalCloseCodes.TooSlow, 'client too slow; reconnect with since');
        this.detach(attached);
      }
    }
  }

  /**
   * Flushes what is pending, gives the shell a moment for its last words, then kills it; resolves
   * once the shell is reaped (its PID gone), or after REAP_AFTER_SIGKILL_MS if even SIGKILL is
   * not reported. The signals go to the shell's process group, so what it runs without job
   * control goes too; an interactive shell passes SIGHUP on to its jobs.
   */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#flush();
    const exited = new Promise<true>((resolve) => this.onExit(() => resolve(true)));
    this.#signalGroup('SIGHUP');
    if (await within(exited, TerminalLimits.FlushBeforeKillMs)) return;
    if (!this.running) return;
    this.#signalGroup('SIGKILL');
    await within(exited, REAP_AFTER_SIGKILL_MS);
  }

  /** node-pty starts the shell with forkpty (setsid), so it leads a group of its own. */
  #signalGroup(signal: NodeJS.Signals): void {
    // A pid of 0 would signal the worker's own group: never.
    if (this.#pty.pid <= 1) return;
    try {
      process.kill(-this.#pty.pid, signal);
    } catch (error) {
      // ESRCH: the group is already gone, which is what was wanted. Anything else (macOS answers
      // EPERM for a group of zombies): the shell itself still gets the signal.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') this.#pty.kill(signal);
    }
  }

  /** Closes every socket (worker shutdown or terminal reaped). */
  closeSockets(code: number, reason: string): void {
    for (const attached of [...this.#sockets]) {
      attached.ws.close(code, reason);
      this.detach(attached);
    }
  }

  #onData(chunk: Buffer): void {
    this.lastActivity = Date.now();
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    const now = performance.now();
    if (now - this.#windowStart >= TerminalLimits.BatchIntervalMs) {
      this.#windowStart = now;
      this.#windowBytes = 0;
    }
    this.#windowBytes += chunk.length;
    // Interactive output (a keystroke's echo, a prompt) goes out at once; a burst is gathered.
    const idle =
      this.#flushTimer === undefined && this.#windowBytes <= TerminalLimits.InteractiveBytes;
    if (idle || this.#pendingBytes >= TerminalLimits.BatchMaxBytes) {
      this.#flush();
    } else {
      this.#flushTimer ??= setTimeout(() => this.#flush(), TerminalLimits.BatchIntervalMs);
    }
  }

  #flush(final = false): void {
    if (this.#flushTimer) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    if (this.#pendingBytes === 0 && (this.#carry.length === 0 || !final)) return;
    const all = Buffer.concat([this.#carry, ...this.#pending]);
    this.#pending = [];
    this.#pendingBytes = 0;
    const length = final ? all.length : utf8BoundaryLength(all);
    this.#carry = all.subarray(length);
    if (length === 0) return;
    const out = all.subarray(0, length);
    this.buffer.append(out);
    this.dirty = true;
    const seq = this.buffer.end;
    const frame = JSON.stringify({
      type: 'output',
      data: out.toString('utf8'),
      seq,
    } satisfies ServerFrame);
    for (const attached of this.#sockets) {
      if (attached.ws.readyState !== attached.ws.OPEN) continue;
      attached.ws.send(frame);
      attached.sent = seq;
    }
    this.#updateFlowControl();
  }

  #updateFlowControl(): void {
    if (!this.running) return;
    const now = Date.now();
    let anyAboveHigh = false;
    let allBelowLow = true;
    if (this.#sockets.size === 0) {
      // Nobody watching: keep reading until the unseen output would overflow the buffer.
      const unseen = this.seq - this.#unseenFrom;
      const room = this.buffer.capacity - 2 * TerminalLimits.BatchMaxBytes;
      anyAboveHigh = unseen > room;
      allBelowLow = !anyAboveHigh;
    }
    let waitingForDrain = false;
    for (const attached of this.#sockets) {
      const unacked = attached.acks ? attached.sent - attached.acked : 0;
      const buffered = attached.ws.bufferedAmount;
      if (
        unacked > TerminalLimits.HighWatermarkBytes ||
        buffered > TerminalLimits.HighSocketBufferedBytes
      ) {
        anyAboveHigh = true;
        attached.blockingSince ??= now;
      } else {
        attached.blockingSince = undefined;
      }
      if (unacked >= TerminalLimits.LowWatermarkBytes) allBelowLow = false;
      if (buffered >= TerminalLimits.LowSocketBufferedBytes) {
        allBelowLow = false;
        waitingForDrain = true;
      }
    }
    if (!this.#paused && anyAboveHigh) {
      this.#paused = true;
      this.#pty.pause();
    } else if (this.#paused && allBelowLow) {
      this.#paused = false;
      this.#pty.resume();
    }
    // A send buffer drains without telling us (no ack arrives): look again shortly.
    if (this.#paused && waitingForDrain && !this.#drainTimer) {
      this.#drainTimer = setTimeout(() => {
        this.#drainTimer = undefined;
        this.#updateFlowControl();
      }, TerminalLimits.DrainCheckMs);
    }
  }

  #onExit(exitCode: number, signal: number | undefined): void {
    this.#flush(true);
    this.exitCode = exitCode;
    // node-pty reports 0 for "no signal" (and exit code 0 for a shell a signal ended).
    this.exitSignal = signal || undefined;
    this.dirty = true;
    for (const attached of this.#sockets) send(attached.ws, this.#exitFrame());
    for (const listener of this.#exitListeners) listener(this);
  }

  /** How the shell ended, as the socket says it: its code, or the signal that ended it. */
  #exitFrame(): ServerFrame {
    return this.exitSignal === undefined
      ? { type: 'exit', exitCode: this.exitCode ?? null }
      : { type: 'exit', exitCode: null, signal: this.exitSignal };
  }
}

/** Whether `promise` settles within `ms`. */
function within(promise: Promise<true>, ms: number): Promise<boolean> {
  return Promise.race([
    promise,
    new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref()),
  ]);
}

export function send(ws: WebSocket, frame: ServerFrame): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}

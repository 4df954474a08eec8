import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';

import {
  AppError,
  clientFrameSchema,
  TERMINAL_MAX_FRAME_BYTES,
  type TerminalSummary,
  type TerminalTicketResponse,
} from '@grove/contract';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

import { PER_USER_HOME } from '../../env';
import { newId } from '../../lib/ids';
import type { RequestContext } from '../../lib/request-context';
import type { SessionService } from '../sessions/session-service';
import type { SessionRow } from '../sessions/session-store';
import { send, Terminal } from './terminal';
import { buildTerminalEnv } from './terminal-env';
import { TerminalCloseCodes, TerminalLimits } from './terminal-limits';
import type { TerminalStore } from './terminal-store';
import { TicketStore } from './ticket-store';

export interface TerminalManagerOptions {
  store: TerminalStore;
  sessions: SessionService;
  logger: Logger;
  shell: string;
  bufferBytes: number;
  graceMs: number;
  maxPerUser: number;
  ticketTtlMs: number;
  allowedOrigins: readonly string[];
  /** A path, PER_USER_HOME, or unset (the worker's own HOME). */
  home?: string | undefined;
  /** Where per-user HOMEs live: `<dataDir>/homes`. */
  dataDir?: string | undefined;
}

const DEFAULT_SIZE = { cols: 80, rows: 24 };
const WS_PATH = /^\/terminals\/([a-z0-9]{10,32})\/ws$/;
/** Retry hint for a refused terminal (the user has to close one first). */
const TERMINAL_LIMIT_RETRY_AFTER_SECONDS = 10;

/**
 * Owns every terminal of this worker: tickets, the pre-upgrade checks, the WebSocket protocol,
 * grace-period reaping, scrollback persistence and start-up restoration.
 */
export class TerminalManager {
  readonly #options: TerminalManagerOptions;
  readonly #terminals = new Map<string, Terminal>();
  readonly #tickets: TicketStore;
  readonly #wss: WebSocketServer;
  readonly #sessionSockets = new Map<string, number>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #alive = new WeakMap<WebSocket, boolean>();
  /** Set during shutdown: shells killed then must stay `running` in SQLite (→ `previous` at start). */
  #disposing = false;

  constructor(options: TerminalManagerOptions) {
    this.#options = options;
    this.#tickets = new TicketStore(options.ticketTtlMs);
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: TerminalLimits.HardMaxFrameBytes,
      perMessageDeflate: false,
    });
    const previous = options.store.markRunningAsPrevious();
    if (previous > 0)
      options.logger.info(
        { previous },
        'terminals from before the restart kept as previous scrollback',
      );
    options.sessions.onTeardown((session) => this.killSession(session.id));
    this.#timers.push(
      setInterval(() => this.#reap(), Math.min(options.graceMs, options.ticketTtlMs, 30_000)),
      setInterval(() => this.persistDirty(), TerminalLimits.PersistIntervalMs),
      setInterval(() => this.#pingSockets(), TerminalLimits.SocketPingIntervalMs),
    );
    for (const timer of this.#timers) timer.unref();
  }

  get liveCount(): number {
    return [...this.#terminals.values()].filter((t) => t.running).length;
  }

  get socketCount(): number {
    return this.#wss.clients.size;
  }

  /**
   * The HOME a user's shells get. Per user: `<dataDir>/homes/<hash of the user id>`, made on
   * first use and readable by the worker's user only, so one user's shell history and dotfiles
   * are not another's (all shells still run as the worker's Unix user: see
   * docs/architecture.md, the trust boundary).
   */
  #homeFor(userId: string): { HOME?: string } {
    const home = this.#options.home;
    if (!home) return {};
    if (home !== PER_USER_HOME) return { HOME: home };
    if (!this.#options.dataDir) throw new Error('per-user terminal homes need the data dir');
    const dir = path.join(
      this.#options.dataDir,
      'homes',
      createHash('sha256').update(userId).digest('hex').slice(0, 24),
    );
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return { HOME: dir };
  }

  liveCountFor(userId: string): number {
    let n = 0;
    for (const terminal of this.#terminals.values())
      if (terminal.userId === userId && terminal.running) n++;
    return n;
  }

  get(id: string): Terminal | undefined {
    return this.#terminals.get(id);
  }

  list(ctx: RequestContext, sessionId: string): TerminalSummary[] {
    this.#options.sessions.store.getOwned(ctx.userId, sessionId);
    return this.#options.store.listForSession(sessionId).map((row) => {
      const live = this.#terminals.get(row.id);
      return {
        id: row.id,
        sessionId,
        status: live
          ? live.running
            ? 'running'
            : 'exited'
          : row.status === 'running'
            ? 'previous'
            : row.status,
        seq: live?.seq ?? row.seq,
        createdAt: row.created_at,
      };
    });
  }

  /**
   * A single-use ticket for one of the user's terminals: a new one when `terminalId` is
   * absent; an existing one otherwise, with a fresh shell (and the old scrollback) if its
   * shell is gone. 429 past the per-user limit of live terminals.
   */
  issueTicket(
    ctx: RequestContext,
    sessionId: string,
    terminalId: string | undefined,
  ): TerminalTicketResponse {
    const session = this.#options.sessions.requireWorktree(ctx, sessionId);
    let terminal = terminalId ? this.#terminals.get(terminalId) : undefined;
    if (terminalId) {
      const row = this.#options.store.get(terminalId);
      if (!row || row.user_id !== ctx.userId || row.session_id !== sessionId) {
        throw new AppError('not_found', 'Terminal not found');
      }
      if (!terminal || !terminal.running) {
        terminal = this.#spawn(session, terminalId, {
          previous: terminal
            ? { scrollback: terminal.buffer.since(0).data, seq: terminal.seq }
            : { scrollback: row.scrollback, seq: row.seq },
          createdAt: row.created_at,
          cols: row.cols,
          rows: row.rows,
        });
      }
    } else {
      terminal = this.#spawn(session, newId(), {});
    }
    const { ticket, expiresAt } = this.#tickets.issue({
      userId: ctx.userId,
      sessionId,
      terminalId: terminal.id,
    });
    return {
      terminalId: terminal.id,
      ticket,
      wsPath: `/terminals/${terminal.id}/ws?ticket=${ticket}`,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  #spawn(
    session: SessionRow,
    id: string,
    extra: {
      previous?: { scrollback: Buffer; seq: number };
      createdAt?: string;
      cols?: number;
      rows?: number;
    },
  ): Terminal {
    if (this.liveCountFor(session.user_id) >= this.#options.maxPerUser) {
      throw new AppError(
        'terminal_limit',
        `At most ${this.#options.maxPerUser} live terminals per user; close one first`,
        {
          rateLimit: {
            retryAfter: TERMINAL_LIMIT_RETRY_AFTER_SECONDS,
            limit: this.#options.maxPerUser,
            remaining: 0,
            reset: Math.ceil(Date.now() / 1000) + TERMINAL_LIMIT_RETRY_AFTER_SECONDS,
          },
        },
      );
    }
    const terminal = new Terminal({
      id,
      sessionId: session.id,
      userId: session.user_id,
      cwd: session.worktree_path,
      env: buildTerminalEnv(
        { sessionId: session.id, terminalId: id, worktree: session.worktree_path },
        { ...process.env, ...this.#homeFor(session.user_id) },
      ),
      shell: this.#options.shell,
      cols: extra.cols ?? DEFAULT_SIZE.cols,
      rows: extra.rows ?? DEFAULT_SIZE.rows,
      bufferBytes: this.#options.bufferBytes,
      previous: extra.previous,
      createdAt: extra.createdAt,
    });
    this.#terminals.set(id, terminal);
    terminal.onExit(() => {
      // A terminal no longer in the map was reaped, closed or deleted with its session: whoever
      // removed it decides what is kept (a closed terminal's row must not come back).
      if (
        !this.#disposing &&
        this.#terminals.get(terminal.id) === terminal &&
        this.#options.sessions.store.get(terminal.sessionId)
      )
        this.#persist(terminal);
    });
    terminal.onSocketsChange((t, count) => this.#onSocketsChange(t, count));
    this.#persist(terminal);
    this.#options.logger.info(
      { terminalId: id, sessionId: session.id, pid: terminal.pid },
      'terminal started',
    );
    return terminal;
  }

  /**
   * The `upgrade` handler: path, Origin and ticket are checked before the WebSocket exists;
   * a refusal is a plain HTTP answer on the raw socket.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://worker.invalid');
    const match = WS_PATH.exec(url.pathname);
    if (!match) return refuse(socket, 404, 'not_found', 'No such socket');
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#options.allowedOrigins.includes(origin)) {
      return refuse(socket, 403, 'forbidden', 'Origin not allowed');
    }
    const claims = this.#tickets.consume(url.searchParams.get('ticket') ?? '');
    if (!claims || claims.terminalId !== match[1]) {
      return refuse(socket, 401, 'unauthorized', 'Invalid or expired ticket');
    }
    const terminal = this.#terminals.get(claims.terminalId);
    const session = this.#options.sessions.store.get(claims.sessionId);
    if (
      !terminal ||
      !session ||
      session.user_id !== claims.userId ||
      terminal.userId !== claims.userId
    ) {
      return refuse(socket, 404, 'not_found', 'Terminal not found');
    }
    const sinceParam = url.searchParams.get('since');
    const since =
      sinceParam !== null && /^\d{1,15}$/.test(sinceParam) ? Number(sinceParam) : undefined;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#serve(ws, terminal, since));
  }

  #serve(ws: WebSocket, terminal: Terminal, since: number | undefined): void {
    this.#alive.set(ws, true);
    ws.on('pong', () => this.#alive.set(ws, true));
    const attached = terminal.attach(ws, since);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.#onFrame(ws, terminal, attached, data, isBinary);
      } catch (error) {
        // Nothing a client sends may take the worker down.
        this.#options.logger.warn({ err: error, terminalId: terminal.id }, 'terminal frame failed');
        send(ws, { type: 'error', code: 'internal_error', message: 'Could not handle that frame' });
      }
    });
    ws.on('close', () => terminal.detach(attached));
    ws.on('error', () => terminal.detach(attached));
  }

  #onFrame(
    ws: WebSocket,
    terminal: Terminal,
    attached: ReturnType<Terminal['attach']>,
    data: RawData,
    isBinary: boolean,
  ): void {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > TERMINAL_MAX_FRAME_BYTES) {
      return send(ws, {
        type: 'error',
        code: 'frame_too_large',
        message: `Frames are limited to ${TERMINAL_MAX_FRAME_BYTES} bytes`,
      });
    }
    if (isBinary)
      return send(ws, { type: 'error', code: 'invalid_frame', message: 'Frames are JSON text' });
    let json: unknown;
    try {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.from(data).toString('utf8');
      json = JSON.parse(text);
    } catch {
      return send(ws, { type: 'error', code: 'invalid_json', message: 'Frame is not JSON' });
    }
    const parsed = clientFrameSchema.safeParse(json);
    if (!parsed.success) {
      return send(ws, {
        type: 'error',
        code: 'invalid_frame',
        message: parsed.error.issues[0]?.message ?? 'Invalid frame',
      });
    }
    const frame = parsed.data;
    switch (frame.type) {
      case 'input':
        terminal.write(frame.data);
        break;
      case 'resize':
        terminal.resize(frame.cols, frame.rows);
        break;
      case 'ack':
        terminal.acknowledge(attached, frame.seq);
        break;
      case 'ping':
        send(ws, { type: 'pong' });
        break;
    }
  }

  #onSocketsChange(terminal: Terminal, _count: number): void {
    let total = 0;
    for (const t of this.#terminals.values())
      if (t.sessionId === terminal.sessionId) total += t.socketCount;
    const before = this.#sessionSockets.get(terminal.sessionId) ?? 0;
    this.#sessionSockets.set(terminal.sessionId, total);
    const session = this.#options.sessions.store.get(terminal.sessionId);
    if (!session) return;
    try {
      if (before === 0 && total > 0 && session.status === 'active')
        this.#options.sessions.store.transition(session.id, 'connected');
      if (before > 0 && total === 0 && session.status === 'connected')
        this.#options.sessions.store.transition(session.id, 'active');
    } catch (error) {
      this.#options.logger.warn(
        { err: error, sessionId: session.id },
        'could not update session connection status',
      );
    }
  }

  #persist(terminal: Terminal): void {
    const scrollback = terminal.buffer.since(
      terminal.seq - TerminalLimits.PersistedScrollbackBytes,
    ).data;
    this.#options.store.save({
      id: terminal.id,
      session_id: terminal.sessionId,
      user_id: terminal.userId,
      status: terminal.running ? 'running' : 'exited',
      cols: terminal.cols,
      rows: terminal.rows,
      seq: terminal.seq,
      scrollback,
      exit_code: terminal.exitCode ?? null,
      created_at: terminal.createdAt,
    });
    terminal.dirty = false;
  }

  persistDirty(): void {
    for (const terminal of this.#terminals.values()) {
      if (terminal.dirty && this.#options.sessions.store.get(terminal.sessionId))
        this.#persist(terminal);
    }
  }

  /**
   * Terminals idle (no input, resize or output — heartbeats do not count) past the grace period
   * go, and so do shells whose ticket nobody used (a tab closed before it connected, a ticket
   * fetched and dropped): they would hold one of the user's terminals for the whole grace period.
   */
  #reap(now = Date.now()): void {
    for (const terminal of this.#terminals.values()) {
      terminal.closeSlowSockets(now);
      const unclaimed =
        !terminal.attachedOnce && now - terminal.spawnedAt > 2 * this.#options.ticketTtlMs;
      if (!unclaimed && now - terminal.lastActivity <= this.#options.graceMs) continue;
      this.#terminals.delete(terminal.id);
      void terminal.kill().then(() => {
        terminal.closeSockets(
          TerminalCloseCodes.TerminalGone,
          'terminal idle past its grace period',
        );
        if (this.#options.sessions.store.get(terminal.sessionId)) this.#persist(terminal);
      });
      this.#options.logger.info(
        { terminalId: terminal.id },
        'terminal reaped after its grace period',
      );
    }
  }

  #pingSockets(): void {
    for (const ws of this.#wss.clients) {
      if (this.#alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.#alive.set(ws, false);
      ws.ping();
    }
  }

  /**
   * Closes one of the user's terminals for good: its row and scrollback go first (so it leaves
   * the list and no ticket can revive it), then the shell's process group is killed and its
   * sockets are closed with 4004. Another user's terminal, or one of another session when
   * `sessionId` is given, is a 404 like an unknown id.
   */
  async close(ctx: RequestContext, terminalId: string, sessionId?: string): Promise<void> {
    const row = this.#options.store.get(terminalId);
    if (
      !row ||
      row.user_id !== ctx.userId ||
      (sessionId !== undefined && row.session_id !== sessionId)
    ) {
      throw new AppError('not_found', 'Terminal not found');
    }
    const terminal = this.#terminals.get(terminalId);
    this.#terminals.delete(terminalId);
    this.#options.store.delete(terminalId);
    if (terminal) {
      await terminal.kill();
      terminal.closeSockets(TerminalCloseCodes.TerminalGone, 'terminal closed');
    }
    this.#options.logger.info(
      { terminalId, sessionId: row.session_id, pid: terminal?.pid },
      'terminal closed',
    );
  }

  /** Kills a session's terminals and forgets them (the session is being deleted). */
  async killSession(sessionId: string): Promise<void> {
    const doomed = [...this.#terminals.values()].filter((t) => t.sessionId === sessionId);
    await Promise.all(
      doomed.map(async (terminal) => {
        this.#terminals.delete(terminal.id);
        await terminal.kill();
        terminal.closeSockets(TerminalCloseCodes.TerminalGone, 'session deleted');
      }),
    );
    this.#options.store.deleteForSession(sessionId);
    this.#sessionSockets.delete(sessionId);
  }

  /** Shutdown: persist every scrollback, close sockets, kill shells. */
  async dispose(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#disposing = true;
    const all = [...this.#terminals.values()];
    for (const terminal of all) {
      if (this.#options.sessions.store.get(terminal.sessionId)) this.#persist(terminal);
      terminal.closeSockets(TerminalCloseCodes.ShuttingDown, 'worker shutting down');
    }
    await Promise.all(all.map((terminal) => terminal.kill()));
    this.#terminals.clear();
    this.#wss.close();
  }
}

function refuse(socket: Duplex, status: 401 | 403 | 404, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { AppError, type TerminalSummary, type TerminalTicketResponse } from '@grove/contract';
import type { Logger } from 'pino';

import { newId } from '../../lib/ids';
import type { RequestContext } from '../../lib/request-context';
import type { SessionService } from '../sessions/session-service';
import type { SessionRow } from '../sessions/session-store';
import { SessionConnections } from './session-connections';
import { parseSince, type PreviousShell, Terminal } from './terminal';
import { buildTerminalEnv } from './terminal-env';
import { terminalHomeFor, type TerminalHomeOptions } from './terminal-home';
import { TerminalCloseCodes, TerminalLimits } from './terminal-limits';
import { persistTerminal, previousShell } from './terminal-persistence';
import { assertUnderTerminalLimit, countLiveTerminals } from './terminal-quota';
import { refuseUpgrade, TerminalSockets } from './terminal-sockets';
import type { TerminalStore } from './terminal-store';
import { TicketStore } from './ticket-store';

export interface TerminalManagerOptions extends TerminalHomeOptions {
  store: TerminalStore;
  sessions: SessionService;
  logger: Logger;
  shell: string;
  bufferBytes: number;
  graceMs: number;
  maxPerUser: number;
  ticketTtlMs: number;
  allowedOrigins: readonly string[];
}

const DEFAULT_SIZE = { cols: 80, rows: 24 };
const WS_PATH = /^\/terminals\/([a-z0-9]{10,32})\/ws$/;

/**
 * Owns every terminal of this worker: tickets, the pre-upgrade checks, the WebSocket protocol
 * (terminal-sockets), grace-period reaping, scrollback persistence (terminal-persistence) and
 * start-up restoration.
 */
export class TerminalManager {
  readonly #options: TerminalManagerOptions;
  readonly #terminals = new Map<string, Terminal>();
  readonly #tickets: TicketStore;
  readonly #sockets: TerminalSockets;
  readonly #connections: SessionConnections;
  readonly #timers: NodeJS.Timeout[] = [];
  /** Set during shutdown: shells killed then must stay `running` in SQLite (→ `previous` at start). */
  #disposing = false;

  constructor(options: TerminalManagerOptions) {
    this.#options = options;
    this.#tickets = new TicketStore(options.ticketTtlMs);
    this.#sockets = new TerminalSockets(options.logger);
    this.#connections = new SessionConnections(options.sessions.store, options.logger);
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
      setInterval(() => this.#sockets.pingAll(), TerminalLimits.SocketPingIntervalMs),
    );
    for (const timer of this.#timers) timer.unref();
  }

  get liveCount(): number {
    return [...this.#terminals.values()].filter((t) => t.running).length;
  }

  get socketCount(): number {
    return this.#sockets.size;
  }

  liveCountFor(userId: string): number {
    return countLiveTerminals(this.#terminals.values(), userId);
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
          previous: previousShell(terminal, row),
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
      previous?: PreviousShell;
      createdAt?: string;
      cols?: number;
      rows?: number;
    },
  ): Terminal {
    assertUnderTerminalLimit(
      this.#terminals.values(),
      session.user_id,
      this.#options.maxPerUser,
      (sessionId) => {
        const row = this.#options.sessions.store.get(sessionId);
        return row?.name ? `"${row.name}"` : (row?.branch_name ?? 'a deleted session');
      },
    );
    const terminal = new Terminal({
      id,
      sessionId: session.id,
      userId: session.user_id,
      cwd: session.worktree_path,
      env: buildTerminalEnv(
        { sessionId: session.id, terminalId: id, worktree: session.worktree_path },
        { ...process.env, ...terminalHomeFor(this.#options, session.user_id) },
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
    terminal.onSocketsChange((t) =>
      this.#connections.recount(t.sessionId, this.#terminals.values()),
    );
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
    if (!match) return refuseUpgrade(socket, 404, 'not_found', 'No such socket');
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#options.allowedOrigins.includes(origin)) {
      return refuseUpgrade(socket, 403, 'forbidden', 'Origin not allowed');
    }
    const claims = this.#tickets.consume(url.searchParams.get('ticket') ?? '');
    if (!claims || claims.terminalId !== match[1]) {
      return refuseUpgrade(socket, 401, 'unauthorized', 'Invalid or expired ticket');
    }
    const terminal = this.#terminals.get(claims.terminalId);
    const session = this.#options.sessions.store.get(claims.sessionId);
    if (
      !terminal ||
      !session ||
      session.user_id !== claims.userId ||
      terminal.userId !== claims.userId
    ) {
      return refuseUpgrade(socket, 404, 'not_found', 'Terminal not found');
    }
    const since = parseSince(url.searchParams.get('since'));
    this.#sockets.upgrade(req, socket, head, terminal, since);
  }

  #persist(terminal: Terminal): void {
    persistTerminal(this.#options.store, terminal);
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
    this.#connections.forget(sessionId);
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
    this.#sockets.close();
  }
}

import {
  AppError,
  PERMISSION_DENIED_MESSAGE,
  PERMISSION_STOPPED_MESSAGE,
  PERMISSION_TIMED_OUT_MESSAGE,
  type ChatEvent,
  type ChatPermissionBody,
} from '@grove/contract';
import type { Logger } from 'pino';

import { newId } from '../../lib/ids';
import type { RequestContext, SessionService } from '../sessions/session-service';
import type { ChatConfig } from './chat-config';
import type { ChatRunRow, ChatStore, RunUsage, StoredEvent } from './chat-store';
import type { ChatEngine, EngineChatEvent, ToolDecision } from './engine';
import { isAutoAllowed } from './tool-permissions';

/** A stopped run is closed with `done` by then, whether or not the engine has wound down. */
export const STOP_DEADLINE_MS = 1_500;
const HOUR_SECONDS = 3_600;

const ZERO_USAGE: RunUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

function parseUsage(json: string | null | undefined): RunUsage {
  if (!json) return ZERO_USAGE;
  const value = JSON.parse(json) as Partial<RunUsage>;
  return {
    inputTokens: value.inputTokens ?? 0,
    outputTokens: value.outputTokens ?? 0,
    costUsd: value.costUsd ?? 0,
  };
}

/** This run's share of an engine session's running total. */
function subtractUsage(total: RunUsage, base: RunUsage): RunUsage {
  return {
    inputTokens: Math.max(0, total.inputTokens - base.inputTokens),
    outputTokens: Math.max(0, total.outputTokens - base.outputTokens),
    costUsd: Math.max(0, total.costUsd - base.costUsd),
  };
}

export interface RunSubscriber {
  send: (stored: StoredEvent) => void;
  end: () => void;
}

type EndReason = 'stopped' | 'shutdown';

interface ActiveRun {
  row: ChatRunRow;
  controller: AbortController;
  subscribers: Set<RunSubscriber>;
  permissions: Map<string, (decision: ToolDecision) => void>;
  endReason: EndReason | undefined;
  closed: boolean;
  finished: Promise<void>;
  markFinished: () => void;
}

export interface ChatRunsOptions {
  store: ChatStore;
  sessions: SessionService;
  engine: ChatEngine;
  config: ChatConfig;
  logger: Logger;
}

/**
 * Agent runs, decoupled from HTTP: at most one per session, every event stored before any
 * subscriber sees it, subscribers come and go (the run does not notice), and a run always
 * ends with `done` — on completion, error, stop, budget, shutdown, or at the next start
 * after a crash.
 */
export class ChatRuns {
  readonly #o: ChatRunsOptions;
  readonly #active = new Map<string, ActiveRun>();

  constructor(options: ChatRunsOptions) {
    this.#o = options;
  }

  /** Closes runs a crashed worker left `running`; returns how many. */
  recover(): number {
    const running = this.#o.store.runningRuns();
    for (const row of running) {
      this.#o.store.finishRun(row, 'interrupted', {
        code: 'interrupted',
        message: 'The worker stopped while this run was in progress',
      });
    }
    if (running.length > 0)
      this.#o.logger.warn({ runs: running.length }, 'closed chat runs interrupted by a restart');
    return running.length;
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /**
   * Starts a run (409 while one is going, 503 when the engine is not set up, 429 over the rate
   * limit or budget).
   */
  start(ctx: RequestContext, sessionId: string, prompt: string): ChatRunRow {
    const session = this.#o.sessions.requireWorktree(ctx, sessionId);
    if (this.#active.has(sessionId))
      throw new AppError('conflict', 'A run is already in progress for this session');
    const unavailable = this.#o.engine.unavailable?.();
    if (unavailable) throw new AppError('engine_unavailable', unavailable);
    const { config, store } = this.#o;
    const inserted = store.insertRun(
      { runId: newId(), sessionId, userId: ctx.userId, prompt, engine: this.#o.engine.name },
      () => this.#refusal(ctx.userId),
      ctx.requestId,
    );
    if ('refused' in inserted) throw inserted.refused;
    let markFinished!: () => void;
    const finished = new Promise<void>((resolve) => {
      markFinished = resolve;
    });
    const run: ActiveRun = {
      row: inserted.run,
      controller: new AbortController(),
      subscribers: new Set(),
      permissions: new Map(),
      endReason: undefined,
      closed: false,
      finished,
      markFinished,
    };
    this.#active.set(sessionId, run);
    const budgetLeft = Math.max(0, config.dailyBudgetUsd - store.spentToday(ctx.userId));
    void this.#drive(run, session.worktree_path, budgetLeft);
    return inserted.run;
  }

  /** The rate-limit or budget error for a new message, if any (checked inside the insert). */
  #refusal(userId: string): AppError | undefined {
    const { config, store } = this.#o;
    const now = Date.now();
    const recent = store.recentMessages(userId, now);
    if (recent.count >= config.messagesPerHour) {
      const resetMs = (recent.oldestMs ?? now) + HOUR_SECONDS * 1000;
      return new AppError(
        'rate_limited',
        `At most ${config.messagesPerHour} chat messages per hour`,
        {
          rateLimit: {
            retryAfter: Math.max(1, Math.ceil((resetMs - now) / 1000)),
            limit: config.messagesPerHour,
            remaining: 0,
            reset: Math.ceil(resetMs / 1000),
          },
        },
      );
    }
    if (store.spentToday(userId, now) >= config.dailyBudgetUsd) {
      const midnight = new Date(now);
      midnight.setUTCHours(24, 0, 0, 0);
      return new AppError('budget_exceeded', 'The daily chat budget is spent', {
        // For the budget, limit and remaining are in US cents.
        rateLimit: {
          retryAfter: Math.max(1, Math.ceil((midnight.getTime() - now) / 1000)),
          limit: Math.round(config.dailyBudgetUsd * 100),
          remaining: 0,
          reset: Math.ceil(midnight.getTime() / 1000),
        },
      });
    }
    return undefined;
  }

  /** The session's latest run (404 for none, or for another user's session). */
  latestRun(ctx: RequestContext, sessionId: string): ChatRunRow {
    this.#o.sessions.store.getOwned(ctx.userId, sessionId);
    const run = this.#o.store.latestRun(sessionId);
    if (!run) throw new AppError('not_found', 'This session has no chat run');
    return run;
  }

  /**
   * Replays the run's stored events after `afterId`, then (if the run is still going) sends
   * new ones live. Synchronous on purpose: nothing can be appended between the replay and
   * the subscription, so no event is lost or repeated. An `afterId` ahead of the run (a
   * client that saw more than is stored, say) gets only what comes after it, live included.
   * Returns the unsubscribe function.
   */
  subscribe(run: ChatRunRow, afterId: number, subscriber: RunSubscriber): () => void {
    for (const stored of this.#o.store.eventsAfter(run.id, afterId)) subscriber.send(stored);
    const active = this.#active.get(run.session_id);
    if (!active || active.row.id !== run.id || active.closed) {
      subscriber.end();
      return () => undefined;
    }
    const live: RunSubscriber = {
      send: (stored) => {
        if (stored.id > afterId) subscriber.send(stored);
      },
      end: () => subscriber.end(),
    };
    active.subscribers.add(live);
    return () => active.subscribers.delete(live);
  }

  /** Stops the session's run; resolves once it has ended with `done` (within 2 s). */
  async stop(ctx: RequestContext, sessionId: string): Promise<boolean> {
    this.#o.sessions.store.getOwned(ctx.userId, sessionId);
    const run = this.#active.get(sessionId);
    if (!run) return false;
    await this.#end(run, 'stopped');
    return true;
  }

  /** Ends a session's run without an owner check (session teardown). */
  async stopSession(sessionId: string): Promise<void> {
    const run = this.#active.get(sessionId);
    if (run) await this.#end(run, 'stopped');
  }

  answerPermission(ctx: RequestContext, sessionId: string, body: ChatPermissionBody): void {
    this.#o.sessions.store.getOwned(ctx.userId, sessionId);
    const resolve = this.#active.get(sessionId)?.permissions.get(body.requestId);
    if (!resolve) throw new AppError('not_found', 'No such pending permission request');
    resolve({
      allow: body.allow,
      ...(body.allow ? {} : { message: PERMISSION_DENIED_MESSAGE }),
    });
  }

  /** Graceful shutdown: every run ends as interrupted, with `done`. */
  async dispose(): Promise<void> {
    await Promise.all([...this.#active.values()].map((run) => this.#end(run, 'shutdown')));
  }

  async #end(run: ActiveRun, reason: EndReason): Promise<void> {
    if (!run.closed && run.endReason === undefined) {
      run.endReason = reason;
      run.controller.abort();
      for (const resolve of run.permissions.values())
        resolve({ allow: false, message: PERMISSION_STOPPED_MESSAGE });
      // The engine gets a moment to wind down; the run is closed then regardless.
      const deadline = setTimeout(() => this.#close(run), STOP_DEADLINE_MS);
      void run.finished.then(() => clearTimeout(deadline));
    }
    await run.finished;
  }

  #emit(run: ActiveRun, event: ChatEvent): void {
    if (run.closed) return;
    const stored = this.#o.store.appendEvent(run.row.session_id, run.row.id, event);
    for (const subscriber of run.subscribers) subscriber.send(stored);
  }

  /** Final status, `error` if any, `done`, subscribers ended. Idempotent. */
  #close(run: ActiveRun, failure?: { code: string; message: string }): void {
    if (run.closed) return;
    run.closed = true;
    this.#active.delete(run.row.session_id);
    let status: 'completed' | 'failed' | 'stopped' | 'interrupted' = failure
      ? 'failed'
      : 'completed';
    let error = failure;
    if (run.endReason === 'stopped') {
      status = 'stopped';
      error = { code: 'stopped', message: 'Stopped by the user' };
    } else if (run.endReason === 'shutdown') {
      status = 'interrupted';
      error = { code: 'interrupted', message: 'The worker shut down during this run' };
    }
    try {
      const events = this.#o.store.finishRun(run.row, status, error);
      for (const subscriber of run.subscribers) {
        for (const stored of events) subscriber.send(stored);
        subscriber.end();
      }
    } catch (closeError) {
      // The database is gone (shutdown raced): the next start closes the run as interrupted.
      this.#o.logger.error({ err: closeError, runId: run.row.id }, 'could not close chat run');
      for (const subscriber of run.subscribers) subscriber.end();
    }
    run.subscribers.clear();
    run.markFinished();
  }

  async #askUser(
    run: ActiveRun,
    tool: string,
    input: Record<string, unknown>,
    signal: AbortSignal,
  ) {
    const requestId = newId();
    return new Promise<ToolDecision>((resolve) => {
      const settle = (decision: ToolDecision) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        run.permissions.delete(requestId);
        resolve(decision);
      };
      const onAbort = () => settle({ allow: false, message: PERMISSION_STOPPED_MESSAGE });
      const timer = setTimeout(
        () => settle({ allow: false, message: PERMISSION_TIMED_OUT_MESSAGE }),
        this.#o.config.permissionTimeoutMs,
      );
      run.permissions.set(requestId, settle);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#emit(run, { type: 'permission_request', requestId, tool, input });
    });
  }

  async #drive(run: ActiveRun, worktree: string, budgetLeft: number): Promise<void> {
    const { store, engine, config, logger } = this.#o;
    let failure: { code: string; message: string } | undefined;
    const conversation = store.conversation(run.row.session_id);
    const resume = conversation?.engine_session_id ?? undefined;
    let usageBase = parseUsage(conversation?.engine_usage);
    try {
      const events = engine.run({
        prompt: run.row.prompt,
        cwd: worktree,
        resume,
        signal: run.controller.signal,
        maxBudgetUsd: budgetLeft,
        canUseTool: (tool, input, signal) =>
          config.allowAllTools || isAutoAllowed(worktree, tool, input)
            ? Promise.resolve({ allow: true })
            : this.#askUser(run, tool, input, signal),
      });
      for await (const output of events) {
        if (run.closed) break;
        if (output.type === 'engine_session') {
          // A fresh engine session (nothing resumed) counts its usage from zero.
          if (output.engineSessionId !== resume) usageBase = ZERO_USAGE;
          store.setEngineSession(run.row.session_id, output.engineSessionId);
        } else if (output.type === 'error') {
          failure = { code: output.code, message: output.message };
        } else if (output.type === 'usage') {
          const usage = subtractUsage(output, usageBase);
          store.setEngineUsage(run.row.session_id, output);
          store.recordUsage(run.row.id, usage);
          this.#emit(run, { type: 'usage', ...usage });
        } else {
          this.#emit(run, output satisfies EngineChatEvent);
        }
      }
    } catch (error) {
      // The SDK also throws after an error result it has already reported: keep that one.
      if (!run.endReason && !failure) {
        logger.error({ err: error, runId: run.row.id }, 'chat engine failed');
        failure = { code: 'engine_error', message: 'The agent engine failed' };
      }
    }
    this.#close(run, failure);
  }
}

import type { ChatEvent, ChatRunStatus } from '@grove/contract';
import type { Statement } from 'better-sqlite3';

import type { Db } from '../../db/database';
import { appendAudit, appendOutbox } from '../../db/outbox';

export interface ChatRunRow {
  id: string;
  session_id: string;
  user_id: string;
  prompt: string;
  status: ChatRunStatus;
  first_event_id: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  started_at: string;
  ended_at: string | null;
}

export interface StoredEvent {
  id: number;
  runId: string;
  event: ChatEvent;
}

export interface ConversationRow {
  session_id: string;
  user_id: string;
  engine: string;
  engine_session_id: string | null;
  engine_usage: string | null;
  last_event_id: number;
  version: number;
}

const HOUR_MS = 3_600_000;

export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

function startOfUtcDay(now: number): number {
  const day = new Date(now);
  day.setUTCHours(0, 0, 0, 0);
  return day.getTime();
}

/**
 * SQL for conversations, runs and events. Every event gets the session's next id and goes
 * to the outbox in the same transaction, so nothing is sent that is not stored.
 */
export class ChatStore {
  readonly #db: Db;
  readonly #bumpEventId: Statement<[string, string], { last_event_id: number; user_id: string }>;
  readonly #insertEvent: Statement<[string, number, string, string, string, string]>;

  constructor(db: Db) {
    this.#db = db;
    this.#bumpEventId = db.prepare(
      'UPDATE chat_conversations SET last_event_id = last_event_id + 1, updated_at = ? WHERE session_id = ? RETURNING last_event_id, user_id',
    );
    this.#insertEvent = db.prepare(
      'INSERT INTO chat_events (session_id, id, run_id, type, data, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  conversation(sessionId: string): ConversationRow | undefined {
    return this.#db
      .prepare<[string], ConversationRow>('SELECT * FROM chat_conversations WHERE session_id = ?')
      .get(sessionId);
  }

  setEngineSession(sessionId: string, engineSessionId: string): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          'UPDATE chat_conversations SET engine_session_id = ?, updated_at = ? WHERE session_id = ?',
        )
        .run(engineSessionId, new Date().toISOString(), sessionId);
      this.#outboxConversation(sessionId);
    })();
  }

  setEngineUsage(sessionId: string, usage: RunUsage): void {
    this.#db
      .prepare('UPDATE chat_conversations SET engine_usage = ? WHERE session_id = ?')
      .run(JSON.stringify(usage), sessionId);
  }

  /** Messages the user sent in the last hour, and when the oldest of them leaves the window. */
  recentMessages(userId: string, now = Date.now()): { count: number; oldestMs: number | null } {
    const row = this.#db
      .prepare<[string, string], { n: number; oldest: string | null }>(
        'SELECT count(*) AS n, min(started_at) AS oldest FROM chat_runs WHERE user_id = ? AND started_at > ?',
      )
      .get(userId, new Date(now - HOUR_MS).toISOString());
    return { count: row?.n ?? 0, oldestMs: row?.oldest ? Date.parse(row.oldest) : null };
  }

  /** USD the user's runs started today (UTC) have cost so far. */
  spentToday(userId: string, now = Date.now()): number {
    const row = this.#db
      .prepare<[string, string], { spent: number | null }>(
        'SELECT sum(cost_usd) AS spent FROM chat_runs WHERE user_id = ? AND started_at >= ?',
      )
      .get(userId, new Date(startOfUtcDay(now)).toISOString());
    return row?.spent ?? 0;
  }

  /**
   * Inserts a running run and its `run` event, unless `refuse` (evaluated inside the same
   * transaction, so parallel requests cannot both slip under a limit) says no.
   */
  insertRun<R>(
    input: { runId: string; sessionId: string; userId: string; prompt: string; engine: string },
    refuse: () => R | undefined,
    requestId?: string,
  ): { run: ChatRunRow; event: StoredEvent } | { refused: R } {
    return this.#db.transaction(() => {
      const refused = refuse();
      if (refused !== undefined) return { refused };
      const now = new Date().toISOString();
      this.#db
        .prepare(
          `INSERT INTO chat_conversations (session_id, user_id, engine, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING`,
        )
        .run(input.sessionId, input.userId, input.engine, now, now);
      const last = this.conversation(input.sessionId)!.last_event_id;
      this.#db
        .prepare(
          `INSERT INTO chat_runs (id, session_id, user_id, prompt, status, first_event_id, started_at)
           VALUES (?, ?, ?, ?, 'running', ?, ?)`,
        )
        .run(input.runId, input.sessionId, input.userId, input.prompt, last + 1, now);
      const event = this.appendEvent(input.sessionId, input.runId, {
        type: 'run',
        runId: input.runId,
      });
      appendAudit(this.#db, {
        userId: input.userId,
        action: 'chat.run',
        targetType: 'session',
        targetId: input.sessionId,
        requestId,
        detail: { runId: input.runId },
      });
      return { run: this.run(input.runId)!, event };
    })();
  }

  /** Stores one event under the session's next id (and queues it for sync); returns it. */
  appendEvent(sessionId: string, runId: string, event: ChatEvent): StoredEvent {
    return this.#db.transaction(() => {
      const now = new Date().toISOString();
      const bumped = this.#bumpEventId.get(now, sessionId);
      if (!bumped) throw new Error(`no conversation for session ${sessionId}`);
      const id = bumped.last_event_id;
      const data = JSON.stringify(event);
      this.#insertEvent.run(sessionId, id, runId, event.type, data, now);
      appendOutbox(this.#db, {
        entity: 'chat_event',
        entityId: `${sessionId}:${id}`,
        op: 'upsert',
        version: 1,
        // userId: Supabase's row level security needs the owner on every synced row.
        payload: { sessionId, userId: bumped.user_id, id, runId, event, createdAt: now },
      });
      return { id, runId, event };
    })();
  }

  recordUsage(runId: string, usage: RunUsage): void {
    this.#db
      .prepare(
        'UPDATE chat_runs SET input_tokens = ?, output_tokens = ?, cost_usd = ? WHERE id = ?',
      )
      .run(usage.inputTokens, usage.outputTokens, usage.costUsd, runId);
  }

  /** Closes a run: its final status, and optionally an `error` event, then `done`. */
  finishRun(
    run: ChatRunRow,
    status: Exclude<ChatRunStatus, 'running'>,
    error?: { code: string; message: string },
  ): StoredEvent[] {
    return this.#db.transaction(() => {
      const events: StoredEvent[] = [];
      if (error) events.push(this.appendEvent(run.session_id, run.id, { type: 'error', ...error }));
      events.push(this.appendEvent(run.session_id, run.id, { type: 'done' }));
      this.#db
        .prepare(
          "UPDATE chat_runs SET status = ?, ended_at = ? WHERE id = ? AND status = 'running'",
        )
        .run(status, new Date().toISOString(), run.id);
      this.#outboxConversation(run.session_id);
      appendAudit(this.#db, {
        userId: run.user_id,
        action: `chat.${status}`,
        targetType: 'session',
        targetId: run.session_id,
        detail: { runId: run.id, ...(error ? { error: error.code } : {}) },
      });
      return events;
    })();
  }

  run(runId: string): ChatRunRow | undefined {
    return this.#db
      .prepare<[string], ChatRunRow>('SELECT * FROM chat_runs WHERE id = ?')
      .get(runId);
  }

  latestRun(sessionId: string): ChatRunRow | undefined {
    return this.#db
      .prepare<[string], ChatRunRow>(
        'SELECT * FROM chat_runs WHERE session_id = ? ORDER BY first_event_id DESC LIMIT 1',
      )
      .get(sessionId);
  }

  runsOf(sessionId: string): ChatRunRow[] {
    return this.#db
      .prepare<[string], ChatRunRow>(
        'SELECT * FROM chat_runs WHERE session_id = ? ORDER BY first_event_id',
      )
      .all(sessionId);
  }

  runningRuns(): ChatRunRow[] {
    return this.#db
      .prepare<[], ChatRunRow>("SELECT * FROM chat_runs WHERE status = 'running'")
      .all();
  }

  /** A run's events with an id above `afterId`, in order. */
  eventsAfter(runId: string, afterId: number): StoredEvent[] {
    return this.#db
      .prepare<[string, number], { id: number; run_id: string; data: string }>(
        'SELECT id, run_id, data FROM chat_events WHERE run_id = ? AND id > ? ORDER BY id',
      )
      .all(runId, afterId)
      .map((row) => ({ id: row.id, runId: row.run_id, event: JSON.parse(row.data) as ChatEvent }));
  }

  /** Every event of a session, oldest first (history). */
  eventsOfSession(sessionId: string): StoredEvent[] {
    return this.#db
      .prepare<[string], { id: number; run_id: string; data: string }>(
        'SELECT id, run_id, data FROM chat_events WHERE session_id = ? ORDER BY id',
      )
      .all(sessionId)
      .map((row) => ({ id: row.id, runId: row.run_id, event: JSON.parse(row.data) as ChatEvent }));
  }

  #outboxConversation(sessionId: string): void {
    this.#db
      .prepare('UPDATE chat_conversations SET version = version + 1 WHERE session_id = ?')
      .run(sessionId);
    const row = this.conversation(sessionId);
    if (!row) return;
    appendOutbox(this.#db, {
      entity: 'conversation',
      entityId: sessionId,
      op: 'upsert',
      version: row.version,
      payload: {
        sessionId,
        userId: row.user_id,
        engine: row.engine,
        lastEventId: row.last_event_id,
        runs: this.runsOf(sessionId).map((run) => ({
          id: run.id,
          prompt: run.prompt,
          status: run.status,
          inputTokens: run.input_tokens,
          outputTokens: run.output_tokens,
          costUsd: run.cost_usd,
          startedAt: run.started_at,
          endedAt: run.ended_at,
        })),
      },
    });
  }
}

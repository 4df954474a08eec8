import {
  AppError,
  canTransition,
  LIVE_SESSION_STATUSES,
  type Session,
  type SessionStatus,
} from '@grove/contract';

import type { Db } from '../../db/database';
import { appendAudit, appendOutbox } from '../../db/outbox';

export interface SessionRow {
  id: string;
  user_id: string;
  repo: string;
  repo_key: string;
  remote_url: string;
  base_branch: string;
  branch_name: string;
  name: string | null;
  status: SessionStatus;
  error: string | null;
  worktree_path: string;
  pushed_at: string | null;
  pr_number: number | null;
  pr_url: string | null;
  pr_state: 'open' | 'closed' | 'merged' | null;
  base_moved_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    repo: row.repo,
    baseBranch: row.base_branch,
    branchName: row.branch_name,
    name: row.name,
    status: row.status,
    error: row.error,
    pushedAt: row.pushed_at,
    behindBase: row.base_moved_at !== null,
    pullRequest:
      row.pr_number !== null && row.pr_url !== null
        ? { number: row.pr_number, url: row.pr_url, state: row.pr_state ?? 'open' }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What the sync loop sends to Supabase for a session: the public shape plus its owner. */
export function outboxPayload(row: SessionRow): unknown {
  return { ...toSession(row), userId: row.user_id, version: row.version };
}

export interface NewSessionRow {
  id: string;
  userId: string;
  repo: string;
  repoKey: string;
  remoteUrl: string;
  baseBranch: string;
  name: string | null;
  worktreePath: string;
}

/**
 * SQL for sessions. Every write bumps `version`, adds an outbox entry and an audit line in
 * the same transaction, and goes through the status machine.
 */
export class SessionStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get(id: string): SessionRow | undefined {
    return this.#db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?').get(id);
  }

  /** The user's session, or 404 — also when it exists but belongs to someone else. */
  getOwned(userId: string, id: string): SessionRow {
    const row = this.get(id);
    if (!row || row.user_id !== userId) throw new AppError('not_found', 'Session not found');
    return row;
  }

  listForUser(userId: string): SessionRow[] {
    return this.#db
      .prepare<[string], SessionRow>(
        'SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id',
      )
      .all(userId);
  }

  listByStatus(statuses: readonly SessionStatus[]): SessionRow[] {
    const marks = statuses.map(() => '?').join(',');
    return this.#db
      .prepare<SessionStatus[], SessionRow>(`SELECT * FROM sessions WHERE status IN (${marks})`)
      .all(...statuses);
  }

  listAll(): SessionRow[] {
    return this.#db.prepare<[], SessionRow>('SELECT * FROM sessions').all();
  }

  countLive(userId: string, repoKey: string): number {
    const marks = LIVE_SESSION_STATUSES.map(() => '?').join(',');
    const row = this.#db
      .prepare<unknown[], { n: number }>(
        `SELECT count(*) AS n FROM sessions WHERE user_id = ? AND repo_key = ? AND status IN (${marks})`,
      )
      .get(userId, repoKey, ...LIVE_SESSION_STATUSES);
    return row?.n ?? 0;
  }

  countByStatus(): Record<string, number> {
    const rows = this.#db
      .prepare<[], { status: string; n: number }>(
        'SELECT status, count(*) AS n FROM sessions GROUP BY status',
      )
      .all();
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  /**
   * Inserts a `creating` session unless the user already has `limit` live sessions on the
   * repository. The check and the insert are one transaction, so parallel creates cannot
   * both slip under the limit.
   */
  insertCreating(
    input: NewSessionRow,
    limit: number,
    extra: {
      requestId?: string | undefined;
      idempotency?: { key: string; hash: string } | undefined;
    } = {},
  ): SessionRow | { limited: true; live: number } {
    return this.#db.transaction(() => {
      const live = this.countLive(input.userId, input.repoKey);
      if (live >= limit) return { limited: true as const, live };
      const now = new Date().toISOString();
      this.#db
        .prepare(
          `INSERT INTO sessions (id, user_id, repo, repo_key, remote_url, base_branch, branch_name, name, status,
             worktree_path, version, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'creating', ?, 1, ?, ?)`,
        )
        .run(
          input.id,
          input.userId,
          input.repo,
          input.repoKey,
          input.remoteUrl,
          input.baseBranch,
          `session/${input.id}`,
          input.name,
          input.worktreePath,
          now,
          now,
        );
      if (extra.idempotency)
        this.saveIdempotent(input.userId, extra.idempotency.key, extra.idempotency.hash, input.id);
      const row = this.get(input.id)!;
      appendOutbox(this.#db, {
        entity: 'session',
        entityId: row.id,
        op: 'upsert',
        version: row.version,
        payload: outboxPayload(row),
      });
      appendAudit(this.#db, {
        userId: input.userId,
        action: 'session.create',
        targetType: 'session',
        targetId: row.id,
        requestId: extra.requestId,
        detail: { repo: input.repo },
      });
      return row;
    })();
  }

  /** Moves a session along the status machine; an illegal move is a 409, never a silent write. */
  transition(
    id: string,
    to: SessionStatus,
    changes: { error?: string | null; baseBranch?: string; pushedAt?: string } = {},
    audit?: { userId: string | null; requestId?: string | undefined },
  ): SessionRow {
    return this.#db.transaction(() => {
      const row = this.get(id);
      if (!row) throw new AppError('not_found', 'Session not found');
      if (row.status !== to && !canTransition(row.status, to)) {
        throw new AppError(
          'invalid_transition',
          `Session is ${row.status}; it cannot become ${to}`,
        );
      }
      const now = new Date().toISOString();
      this.#db
        .prepare(
          `UPDATE sessions SET status = ?, error = ?, base_branch = ?, pushed_at = ?, version = version + 1, updated_at = ?
           WHERE id = ?`,
        )
        .run(
          to,
          changes.error === undefined ? row.error : changes.error,
          changes.baseBranch ?? row.base_branch,
          changes.pushedAt ?? row.pushed_at,
          now,
          id,
        );
      return recordSessionChange(this.#db, id, {
        action: `session.${to}`,
        userId: audit?.userId ?? null,
        requestId: audit?.requestId,
        detail: { from: row.status, ...(changes.error ? { error: changes.error } : {}) },
      });
    })();
  }

  /** Removes the row for good (after its worktree is gone), with its outbox tombstone. */
  remove(id: string, audit?: { userId: string | null; requestId?: string | undefined }): void {
    this.#db.transaction(() => {
      const row = this.get(id);
      if (!row) return;
      // Its idempotency keys stay (until they age out): a retry of the create is told it was
      // deleted rather than making the session again.
      this.#db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
      appendOutbox(this.#db, {
        entity: 'session',
        entityId: id,
        op: 'delete',
        version: row.version + 1,
        payload: { id, userId: row.user_id },
      });
      appendAudit(this.#db, {
        userId: audit?.userId ?? null,
        action: 'session.delete',
        targetType: 'session',
        targetId: id,
        requestId: audit?.requestId,
      });
    })();
  }

  findIdempotent(
    userId: string,
    key: string,
  ): { request_hash: string; session_id: string } | undefined {
    return this.#db
      .prepare<[string, string], { request_hash: string; session_id: string }>(
        'SELECT request_hash, session_id FROM idempotency_keys WHERE user_id = ? AND key = ?',
      )
      .get(userId, key);
  }

  saveIdempotent(userId: string, key: string, requestHash: string, sessionId: string): void {
    this.#db
      .prepare(
        'INSERT INTO idempotency_keys (user_id, key, request_hash, session_id, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(userId, key, requestHash, sessionId, new Date().toISOString());
  }

  forgetIdempotent(userId: string, key: string): void {
    this.#db.prepare('DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?').run(userId, key);
  }

  /** Drops idempotency keys older than `maxAgeMs`. */
  pruneIdempotent(maxAgeMs: number): void {
    this.#db
      .prepare('DELETE FROM idempotency_keys WHERE created_at < ?')
      .run(new Date(Date.now() - maxAgeMs).toISOString());
  }
}

/**
 * After an UPDATE of session `id` inside a transaction: reads the row back and records the
 * change — an outbox entry with the new version and an audit line — in the same transaction.
 */
export function recordSessionChange(
  db: Db,
  id: string,
  audit: {
    action: string;
    userId: string | null;
    requestId?: string | undefined;
    detail?: unknown;
  },
): SessionRow {
  const updated = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?').get(id)!;
  appendOutbox(db, {
    entity: 'session',
    entityId: id,
    op: 'upsert',
    version: updated.version,
    payload: outboxPayload(updated),
  });
  appendAudit(db, { ...audit, targetType: 'session', targetId: id });
  return updated;
}

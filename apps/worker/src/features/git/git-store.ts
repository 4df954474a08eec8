import { LIVE_SESSION_STATUSES, type PullRequest } from '@grove/contract';

import type { Db } from '../../db/database';
import { appendAudit } from '../../db/outbox';
import { recordSessionChange, type SessionRow } from '../sessions/session-store';

export interface AuditWho {
  userId: string | null;
  requestId?: string | undefined;
}

export interface WipSnapshotRow {
  session_id: string;
  user_id: string;
  repo_key: string;
  ref: string;
  sha: string;
  files: string;
  created_at: string;
  restored_at: string | null;
}

/**
 * The git feature's SQL: pull request and "base moved" on the session row, WIP snapshots and
 * webhook deliveries. Like SessionStore, every session write bumps `version` and appends an
 * outbox entry and an audit line in the same transaction.
 */
export class GitStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  #updateSession(
    id: string,
    set: { pr?: PullRequest; prState?: PullRequest['state']; baseMovedAt?: string | null },
    action: string,
    who: AuditWho,
    detail?: unknown,
  ): SessionRow | undefined {
    const row = this.#db
      .prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?')
      .get(id);
    if (!row) return undefined;
    this.#db
      .prepare(
        `UPDATE sessions SET pr_number = ?, pr_url = ?, pr_state = ?, base_moved_at = ?,
           version = version + 1, updated_at = ? WHERE id = ?`,
      )
      .run(
        set.pr?.number ?? row.pr_number,
        set.pr?.url ?? row.pr_url,
        set.pr?.state ?? set.prState ?? row.pr_state,
        set.baseMovedAt === undefined ? row.base_moved_at : set.baseMovedAt,
        new Date().toISOString(),
        id,
      );
    return recordSessionChange(this.#db, id, {
      action,
      userId: who.userId,
      requestId: who.requestId,
      detail,
    });
  }

  recordPullRequest(id: string, pr: PullRequest, who: AuditWho): void {
    this.#db.transaction(() =>
      this.#updateSession(id, { pr }, 'git.pr', who, { number: pr.number, url: pr.url }),
    )();
  }

  clearBaseMoved(id: string, who: AuditWho, detail: unknown): void {
    this.#db.transaction(() =>
      this.#updateSession(id, { baseMovedAt: null }, 'git.update', who, detail),
    )();
  }

  audit(action: string, sessionId: string, who: AuditWho, detail?: unknown): void {
    appendAudit(this.#db, {
      userId: who.userId,
      action,
      targetType: 'session',
      targetId: sessionId,
      requestId: who.requestId,
      detail,
    });
  }

  saveWipSnapshot(row: SessionRow, ref: string, sha: string, files: string[]): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT OR REPLACE INTO wip_snapshots (session_id, user_id, repo_key, ref, sha, files, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.id,
          row.user_id,
          row.repo_key,
          ref,
          sha,
          JSON.stringify(files),
          new Date().toISOString(),
        );
      appendAudit(this.#db, {
        userId: row.user_id,
        action: 'git.wip_snapshot',
        targetType: 'session',
        targetId: row.id,
        detail: { ref, sha, files: files.length },
      });
    })();
  }

  getWipSnapshot(sessionId: string): WipSnapshotRow | undefined {
    return this.#db
      .prepare<[string], WipSnapshotRow>('SELECT * FROM wip_snapshots WHERE session_id = ?')
      .get(sessionId);
  }

  /** The newest snapshots of one user's deleted sessions of one repository. */
  listWipSnapshots(userId: string, repoKey: string, limit = 50): WipSnapshotRow[] {
    return this.#db
      .prepare<[string, string, number], WipSnapshotRow>(
        `SELECT * FROM wip_snapshots WHERE user_id = ? AND repo_key = ?
         ORDER BY created_at DESC LIMIT ?`,
      )
      .all(userId, repoKey, limit);
  }

  markWipRestored(from: string, into: string, who: AuditWho): void {
    this.#db.transaction(() => {
      this.#db
        .prepare('UPDATE wip_snapshots SET restored_at = ? WHERE session_id = ?')
        .run(new Date().toISOString(), from);
      this.audit('git.wip_restore', into, who, { from });
    })();
  }

  /**
   * Applies one webhook delivery exactly once: the delivery id is inserted in the same
   * transaction as its effects, so a redelivery (or a retry after a crash) finds it and does
   * nothing. `apply` returns how many sessions it changed.
   */
  applyDelivery(
    deliveryId: string,
    event: string,
    apply: () => number,
  ): { duplicate: boolean; sessionsUpdated: number } {
    return this.#db.transaction(() => {
      const inserted = this.#db
        .prepare(
          'INSERT OR IGNORE INTO webhook_deliveries (delivery_id, event, received_at) VALUES (?, ?, ?)',
        )
        .run(deliveryId, event, new Date().toISOString());
      if (inserted.changes === 0) return { duplicate: true, sessionsUpdated: 0 };
      return { duplicate: false, sessionsUpdated: apply() };
    })();
  }

  /** Live sessions of a repository on `baseBranch` are marked behind. Call inside applyDelivery. */
  markBaseMoved(repoKey: string, baseBranch: string, who: AuditWho, detail: unknown): number {
    const marks = LIVE_SESSION_STATUSES.map(() => '?').join(',');
    const ids = this.#db
      .prepare<unknown[], { id: string }>(
        `SELECT id FROM sessions WHERE repo_key = ? AND base_branch = ? AND status IN (${marks})`,
      )
      .all(repoKey, baseBranch, ...LIVE_SESSION_STATUSES);
    const now = new Date().toISOString();
    for (const { id } of ids)
      this.#updateSession(id, { baseMovedAt: now }, 'git.base_moved', who, detail);
    return ids.length;
  }

  /** Sessions whose pull request this is get its new state. Call inside applyDelivery. */
  setPullRequestState(
    repoKey: string,
    number: number,
    state: PullRequest['state'],
    who: AuditWho,
    detail: unknown,
  ): number {
    const ids = this.#db
      .prepare<[string, number], { id: string }>(
        'SELECT id FROM sessions WHERE repo_key = ? AND pr_number = ?',
      )
      .all(repoKey, number);
    for (const { id } of ids)
      this.#updateSession(id, { prState: state }, `git.pr_${state}`, who, detail);
    return ids.length;
  }

  auditRepositoryEvent(
    action: string,
    repository: string | null,
    who: AuditWho,
    detail: unknown,
  ): void {
    appendAudit(this.#db, {
      userId: who.userId,
      action,
      targetType: 'repository',
      targetId: repository,
      requestId: who.requestId,
      detail,
    });
  }
}

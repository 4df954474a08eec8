import type { Db } from '../../db/database';

/** What every outbox entry says about itself, as the app names it. */
interface OutboxEntry {
  id: number;
  entity: string;
  entityId: string;
  op: 'upsert' | 'delete';
  version: number;
  createdAt: string;
}

export interface PendingEntry extends OutboxEntry {
  payload: unknown;
}

/** An outbox entry Supabase refused for good, set aside for an operator. */
export interface DeadLetter extends OutboxEntry {
  attempts: number;
  lastError: string | null;
  deadLetteredAt: string;
}

interface OutboxRow {
  id: number;
  entity: string;
  entity_id: string;
  op: 'upsert' | 'delete';
  version: number;
  payload: string;
  created_at: string;
}

function entryOf(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    entity: row.entity,
    entityId: row.entity_id,
    op: row.op,
    version: row.version,
    createdAt: row.created_at,
  };
}

/** Sent entries are kept this long (for inspection), then pruned. */
export const SENT_RETENTION_MS = 24 * 3_600_000;

/** The sync loop's SQL on the outbox: read pending in id order, mark sent, measure. */
export class SyncStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The oldest `limit` entries not yet sent, in the order they were written. */
  pending(limit: number): PendingEntry[] {
    return this.#db
      .prepare<[number], OutboxRow>(
        `SELECT id, entity, entity_id, op, version, payload, created_at FROM outbox
         WHERE sent_at IS NULL AND dead_lettered_at IS NULL ORDER BY id LIMIT ?`,
      )
      .all(limit)
      .map((row) => ({ ...entryOf(row), payload: JSON.parse(row.payload) as unknown }));
  }

  markSent(ids: readonly number[], sentAt: string): void {
    if (ids.length === 0) return;
    const mark = this.#db.prepare('UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id = ?');
    this.#db.transaction(() => {
      for (const id of ids) mark.run(sentAt, id);
    })();
  }

  /** Counts the attempt on the entries that could not be sent; the error is kept for operators. */
  markFailed(ids: readonly number[], error: string): void {
    if (ids.length === 0) return;
    const mark = this.#db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?',
    );
    this.#db.transaction(() => {
      for (const id of ids) mark.run(error.slice(0, 500), id);
    })();
  }

  /** Counts one more failed attempt on a single entry; returns its attempts so far. */
  recordAttempt(id: number, error: string): number {
    return this.#db
      .prepare<[string, number], { attempts: number }>(
        'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? RETURNING attempts',
      )
      .get(error.slice(0, 500), id)!.attempts;
  }

  /** Moves an entry aside: no longer pending, kept (with its last error) for inspection. */
  deadLetter(id: number, at: string): void {
    this.#db.prepare('UPDATE outbox SET dead_lettered_at = ? WHERE id = ?').run(at, id);
  }

  /** Every dead letter, oldest first. */
  deadLetters(): DeadLetter[] {
    return this.#db
      .prepare<
        [],
        OutboxRow & { attempts: number; last_error: string | null; dead_lettered_at: string }
      >(
        `SELECT id, entity, entity_id, op, version, payload, created_at, attempts, last_error,
                dead_lettered_at
           FROM outbox WHERE dead_lettered_at IS NOT NULL ORDER BY id`,
      )
      .all()
      .map((row) => ({
        ...entryOf(row),
        attempts: row.attempts,
        lastError: row.last_error,
        deadLetteredAt: row.dead_lettered_at,
      }));
  }

  /**
   * Puts dead letters back in the queue (all, or those with the given ids) with a fresh count
   * of attempts; the sync loop sends them on its next pass, in id order with the rest (a stale
   * version is ignored by Supabase's grove_sync_apply). Returns how many were put back.
   */
  replayDeadLetters(ids?: readonly number[]): number {
    if (ids === undefined) {
      return this.#db
        .prepare(
          'UPDATE outbox SET dead_lettered_at = NULL, attempts = 0 WHERE dead_lettered_at IS NOT NULL',
        )
        .run().changes;
    }
    const replay = this.#db.prepare(
      'UPDATE outbox SET dead_lettered_at = NULL, attempts = 0 WHERE id = ? AND dead_lettered_at IS NOT NULL',
    );
    return this.#db.transaction(() => ids.reduce((n, id) => n + replay.run(id).changes, 0))();
  }

  deadLetterCount(): number {
    return this.#db
      .prepare<[], { n: number }>(
        'SELECT count(*) AS n FROM outbox WHERE dead_lettered_at IS NOT NULL',
      )
      .get()!.n;
  }

  /** How many entries wait, and when the oldest of them was written. */
  backlog(): { depth: number; oldestCreatedAt: string | null } {
    const row = this.#db
      .prepare<[], { depth: number; oldest: string | null }>(
        `SELECT count(*) AS depth, min(created_at) AS oldest FROM outbox
         WHERE sent_at IS NULL AND dead_lettered_at IS NULL`,
      )
      .get()!;
    return { depth: row.depth, oldestCreatedAt: row.oldest };
  }

  pruneSent(before: string): number {
    return this.#db
      .prepare('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?')
      .run(before).changes;
  }
}

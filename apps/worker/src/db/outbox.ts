import type { Db } from './database';

export interface OutboxEntry {
  entity: string;
  entityId: string;
  op: 'upsert' | 'delete';
  version: number;
  payload: unknown;
}

/**
 * Records a change for the sync loop. Call it inside the same transaction as the write it
 * describes, so the row and its outbox entry commit or roll back together.
 */
export function appendOutbox(db: Db, entry: OutboxEntry): void {
  db.prepare(
    'INSERT INTO outbox (entity, entity_id, op, version, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    entry.entity,
    entry.entityId,
    entry.op,
    entry.version,
    JSON.stringify(entry.payload),
    new Date().toISOString(),
  );
}

export interface AuditEntry {
  userId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  requestId?: string | undefined;
  detail?: unknown;
}

export function appendAudit(db: Db, entry: AuditEntry): void {
  db.prepare(
    `INSERT INTO audit_log (user_id, action, target_type, target_id, request_id, detail, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    entry.userId,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.requestId ?? null,
    entry.detail === undefined ? null : JSON.stringify(entry.detail),
    new Date().toISOString(),
  );
}

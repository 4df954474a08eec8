import { z } from 'zod';

export const healthResponseSchema = z.object({ status: z.literal('ok') });

/**
 * The worker's outbox sync to Supabase (additive on `/version` and on each worker of
 * `/api/workers/status`). `enabled: false` in local mode (SQLite alone).
 */
export const syncStatusSchema = z.object({
  enabled: z.boolean(),
  /** Outbox entries not yet in Supabase. */
  outboxDepth: z.number(),
  /** Age in ms of the oldest entry not yet in Supabase (0 when drained). */
  lagMs: z.number(),
  /** Failed attempts since the last success (0 when healthy). */
  consecutiveFailures: z.number(),
  /** Failed attempts since the worker started. */
  failuresTotal: z.number(),
  /** Entries Supabase refused for good, moved aside so the rest keeps draining. */
  deadLetters: z.number(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const versionResponseSchema = z.object({
  version: z.string(),
  commit: z.string(),
  node: z.string(),
  uptime: z.number(),
  memory: z.object({ rss: z.number(), heapUsed: z.number(), heapTotal: z.number() }),
  timestamp: z.string(),
  sync: syncStatusSchema.optional(),
});
export type VersionResponse = z.infer<typeof versionResponseSchema>;

export const workerStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['online', 'offline']),
  version: z.string().nullable(),
  uptime: z.number().nullable(),
  latencyMs: z.number().nullable(),
  sync: syncStatusSchema.nullable().optional(),
  /** Supabase mode: the worker's last heartbeat in Supabase's `workers` (null: none yet). */
  lastSeenAt: z.string().nullable().optional(),
});
export type WorkerStatus = z.infer<typeof workerStatusSchema>;

export const workersStatusResponseSchema = z.object({
  workers: z.array(workerStatusSchema),
  timestamp: z.string(),
});

import type { SyncStatus } from '@grove/contract';
import type { Logger } from 'pino';

import type { Db } from '../../db/database';
import type { Metrics } from '../../lib/metrics';
import { createSupabaseSink, type SyncSink } from './supabase-sink';
import { SyncLoop } from './sync-loop';
import { SyncStore } from './sync-store';
import { startWorkerHeartbeat, type WorkerIdentity } from './worker-heartbeat';

export interface SyncFeature {
  status: () => SyncStatus;
  /** Sets the outbox gauges (called before each /metrics scrape). */
  refreshGauges: () => void;
  dispose: () => Promise<void>;
}

const DISABLED: SyncStatus = {
  enabled: false,
  outboxDepth: 0,
  lagMs: 0,
  consecutiveFailures: 0,
  failuresTotal: 0,
  deadLetters: 0,
  lastSuccessAt: null,
  lastFailureAt: null,
};

/**
 * The outbox → Supabase sync, only when Supabase is configured; otherwise the worker runs on
 * SQLite alone and the outbox simply accumulates (it is pruned by nobody, and small).
 */
export function createSyncFeature(deps: {
  db: Db;
  metrics: Metrics;
  logger: Logger;
  supabase: { url: string; serviceRoleKey: string } | undefined;
  /** Who this worker is in Supabase's `workers` table. */
  identity?: WorkerIdentity;
  heartbeatMs?: number;
  /** Tests and the benchmark may pass their own sink or tuning. */
  sink?: SyncSink;
  idlePollMs?: number;
  batchSize?: number;
  timeoutMs?: number;
  deadLetterAfter?: number;
}): SyncFeature {
  const store = new SyncStore(deps.db);
  const { metrics } = deps;
  if (!deps.supabase && !deps.sink) {
    return {
      status: () => DISABLED,
      refreshGauges: () => {
        metrics.outboxDepth.set(store.backlog().depth);
        metrics.syncLag.set(0);
        metrics.deadLetters.set(0);
      },
      dispose: () => Promise.resolve(),
    };
  }
  const sink =
    deps.sink ??
    createSupabaseSink(deps.supabase!.url, deps.supabase!.serviceRoleKey, deps.timeoutMs);
  const logger = deps.logger.child({ feature: 'sync' });
  const loop = new SyncLoop({
    store,
    sink,
    logger,
    idlePollMs: deps.idlePollMs,
    batchSize: deps.batchSize,
    onSynced: (lags) => {
      metrics.syncedEntries.inc(lags.length);
      for (const lag of lags) metrics.syncEntryLag.observe(lag / 1000);
    },
    onFailure: () => metrics.syncFailures.inc(),
    deadLetterAfter: deps.deadLetterAfter,
  });
  loop.start();
  const heartbeat = deps.identity
    ? startWorkerHeartbeat({
        sink,
        identity: deps.identity,
        status: () => loop.status(),
        logger,
        intervalMs: deps.heartbeatMs,
      })
    : undefined;
  return {
    status: () => loop.status(),
    refreshGauges: () => {
      const status = loop.status();
      metrics.outboxDepth.set(status.outboxDepth);
      metrics.syncLag.set(status.lagMs / 1000);
      metrics.deadLetters.set(status.deadLetters);
    },
    dispose: () => {
      heartbeat?.stop();
      return loop.stop();
    },
  };
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per app instance, so tests can build several apps in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'grove_worker_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'grove_worker_http_request_duration_seconds',
      help: 'Worker HTTP request duration by route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    sessionOps: new Counter({
      name: 'grove_worker_session_operations_total',
      help: 'Session operations by kind and outcome.',
      labelNames: ['op', 'outcome'] as const,
      registers: [registry],
    }),
    sessions: new Gauge({
      name: 'grove_worker_sessions',
      help: 'Sessions by status.',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    terminals: new Gauge({
      name: 'grove_worker_terminals',
      help: 'Live terminals (PTYs) and the sockets attached to them.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: 'grove_worker_outbox_depth',
      help: 'Outbox entries not yet synced to Supabase.',
      registers: [registry],
    }),
    syncLag: new Gauge({
      name: 'grove_worker_sync_lag_seconds',
      help: 'Age of the oldest outbox entry not yet synced (0 when drained).',
      registers: [registry],
    }),
    deadLetters: new Gauge({
      name: 'grove_worker_outbox_dead_letters',
      help: 'Outbox entries Supabase refused for good, moved aside (not retried).',
      registers: [registry],
    }),
    syncFailures: new Counter({
      name: 'grove_worker_sync_failures_total',
      help: 'Outbox batches Supabase did not take (each is retried with backoff).',
      registers: [registry],
    }),
    syncedEntries: new Counter({
      name: 'grove_worker_synced_entries_total',
      help: 'Outbox entries applied in Supabase.',
      registers: [registry],
    }),
    syncEntryLag: new Histogram({
      name: 'grove_worker_sync_entry_lag_seconds',
      help: 'Time from an outbox write to its arrival in Supabase.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

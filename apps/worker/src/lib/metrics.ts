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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

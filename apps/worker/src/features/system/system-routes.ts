import type { SyncStatus, VersionResponse } from '@grove/contract';
import { Router } from 'express';

import type { Metrics } from '../../lib/metrics';

export interface SystemInfo {
  version: string;
  commit: string;
  startedAt: number;
}

/** Unauthenticated: liveness, build info and Prometheus metrics. */
export function systemRoutes(
  info: SystemInfo,
  metrics: Metrics,
  refreshGauges: () => void,
  syncStatus?: () => SyncStatus,
): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/version', (_req, res) => {
    const memory = process.memoryUsage();
    const body: VersionResponse = {
      version: info.version,
      commit: info.commit,
      node: process.version,
      uptime: Math.round((Date.now() - info.startedAt) / 1000),
      memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
      timestamp: new Date().toISOString(),
      ...(syncStatus ? { sync: syncStatus() } : {}),
    };
    res.json(body);
  });
  router.get('/metrics', async (_req, res) => {
    refreshGauges();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}

import { versionResponseSchema, type WorkerStatus } from '@grove/contract';

import { env } from '@/env';
import { withUser } from '@/lib/api/with-user';

/** A worker that has not answered /version by then is shown offline. */
const WORKER_CHECK_TIMEOUT_MS = 5_000;

async function checkWorker(id: string, name: string, url: string): Promise<WorkerStatus> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/version`, {
      signal: AbortSignal.timeout(WORKER_CHECK_TIMEOUT_MS),
      cache: 'no-store',
    });
    const version = versionResponseSchema.parse(await response.json());
    return {
      id,
      name,
      status: 'online',
      version: version.version,
      uptime: version.uptime,
      latencyMs: Math.round(performance.now() - started),
      sync: version.sync ?? null,
    };
  } catch {
    return {
      id,
      name,
      status: 'offline',
      version: null,
      uptime: null,
      latencyMs: null,
      sync: null,
    };
  }
}

export const GET = withUser(async ({ requestId }) => {
  const config = env();
  const workers = await Promise.all([checkWorker('default', config.workerName, config.workerUrl)]);
  return Response.json(
    { workers, timestamp: new Date().toISOString() },
    { headers: { 'cache-control': 'no-store', 'x-request-id': requestId } },
  );
});

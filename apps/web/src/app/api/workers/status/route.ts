import { versionResponseSchema, type WorkerStatus } from '@grove/contract';

import { env } from '@/env';
import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { readWorkerHeartbeat } from '@/lib/workers/supabase-workers';

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

/**
 * Supabase mode adds each worker's last heartbeat from Supabase's `workers` table: when it was
 * last seen and, while it is offline, the version and sync status it last reported.
 */
async function withHeartbeat(status: WorkerStatus): Promise<WorkerStatus> {
  const beat = await readWorkerHeartbeat(status.name);
  if (!beat) return { ...status, lastSeenAt: null };
  if (status.status === 'online') return { ...status, lastSeenAt: beat.lastSeenAt };
  return { ...status, version: beat.version, sync: beat.sync, lastSeenAt: beat.lastSeenAt };
}

export const GET = withUser(async ({ requestId }) => {
  const config = env();
  const checked = await Promise.all([checkWorker('default', config.workerName, config.workerUrl)]);
  const workers =
    config.mode === 'supabase' ? await Promise.all(checked.map(withHeartbeat)) : checked;
  return Response.json(
    { workers, timestamp: new Date().toISOString() },
    { headers: { 'cache-control': 'no-store', 'x-request-id': requestId } },
  );
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

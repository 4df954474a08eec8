import type { SyncStatus } from '@grove/contract';
import type { Logger } from 'pino';

import type { SyncSink } from './supabase-sink';

/** How often the worker refreshes its row in Supabase's `workers` (its "last seen"). */
export const WORKER_HEARTBEAT_MS = 15_000;

export interface WorkerIdentity {
  /** The worker's name (WORKER_NAME), also its row id. */
  id: string;
  name: string;
  version: string;
}

/**
 * Upserts the worker's own row in `public.workers` through the sync path (service role,
 * `grove_sync_apply`'s `worker` entity): name, version, last heartbeat and its sync status.
 * Not an outbox entry — a heartbeat that does not land is simply replaced by the next one.
 */
export function startWorkerHeartbeat(deps: {
  sink: SyncSink;
  identity: WorkerIdentity;
  status: () => SyncStatus;
  logger: Logger;
  intervalMs?: number;
}): { beat: () => Promise<boolean>; stop: () => void } {
  const beat = async (): Promise<boolean> => {
    const status = deps.status();
    try {
      await deps.sink.apply([
        {
          id: 0,
          entity: 'worker',
          entityId: deps.identity.id,
          op: 'upsert',
          version: Date.now(),
          payload: {
            name: deps.identity.name,
            version: deps.identity.version,
            outboxDepth: status.outboxDepth,
            syncLagMs: status.lagMs,
            sync: status,
          },
          createdAt: new Date().toISOString(),
        },
      ]);
      return true;
    } catch (error) {
      deps.logger.debug(
        { err: error instanceof Error ? error.message : String(error) },
        'worker heartbeat not recorded',
      );
      return false;
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), deps.intervalMs ?? WORKER_HEARTBEAT_MS);
  timer.unref();
  return { beat, stop: () => clearInterval(timer) };
}

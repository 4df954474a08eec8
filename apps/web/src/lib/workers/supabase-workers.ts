import 'server-only';

import { syncStatusSchema, type SyncStatus } from '@grove/contract';
import { z } from 'zod';

import { createClient } from '@/lib/supabase/server';

const READ_TIMEOUT_MS = 2_000;

const rowSchema = z.object({
  version: z.string(),
  last_seen_at: z.string(),
  sync: z.unknown(),
});

export interface WorkerHeartbeat {
  version: string;
  lastSeenAt: string;
  /** The sync status it last reported (null when it reported none this build understands). */
  sync: SyncStatus | null;
}

/**
 * What a worker last reported about itself in Supabase's `workers` (its heartbeat), or
 * undefined when there is no row or Supabase does not answer: lets /workers say when an
 * offline worker was last seen, and how its sync stood then.
 */
export async function readWorkerHeartbeat(id: string): Promise<WorkerHeartbeat | undefined> {
  try {
    const supabase = await createClient();
    const { data, error } = await supabase
      .from('workers')
      .select('version, last_seen_at, sync')
      .eq('id', id)
      .abortSignal(AbortSignal.timeout(READ_TIMEOUT_MS))
      .maybeSingle();
    if (error || !data) return undefined;
    const row = rowSchema.parse(data);
    const sync = syncStatusSchema.safeParse(row.sync);
    return {
      version: row.version,
      lastSeenAt: row.last_seen_at,
      sync: sync.success ? sync.data : null,
    };
  } catch {
    return undefined;
  }
}

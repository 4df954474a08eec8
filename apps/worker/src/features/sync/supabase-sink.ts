import { createClient } from '@supabase/supabase-js';

import { isPermanentStatus, SyncSinkError } from './sync-sink-error';
import type { PendingEntry } from './sync-store';

/** By default a Supabase call that has not answered in 10 s counts as a failure (and is retried). */
export const SINK_TIMEOUT_MS = 10_000;

export interface SyncSink {
  /**
   * Applies the entries in order, all or nothing; throws when Supabase did not take them (a
   * `SyncSinkError` saying whether retrying can help).
   */
  apply: (entries: readonly PendingEntry[]) => Promise<void>;
}

/**
 * Writes outbox entries to Supabase with the service role, through `grove_sync_apply`
 * (supabase/migrations): one round trip per batch, applied in order in one transaction,
 * idempotent and last-write-wins by version — what a plain PostgREST upsert cannot express.
 */
export function createSupabaseSink(
  url: string,
  serviceRoleKey: string,
  timeoutMs = SINK_TIMEOUT_MS,
): SyncSink {
  const client = createClient(url, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: {
      fetch: (input, init) =>
        fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
    },
  });
  return {
    apply: async (entries) => {
      const { error, status } = await client.rpc('grove_sync_apply', {
        entries: entries.map((entry) => ({
          entity: entry.entity,
          entityId: entry.entityId,
          op: entry.op,
          version: entry.version,
          payload: entry.payload,
        })),
      });
      if (error) {
        throw new SyncSinkError(
          `supabase: ${status} ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' ').trim(),
          isPermanentStatus(status),
        );
      }
    },
  };
}

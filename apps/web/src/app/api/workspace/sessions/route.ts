import { sessionListResponseSchema } from '@grove/contract';

import { env } from '@/env';
import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { mergeSessions } from '@/lib/sessions/merge-sessions';
import { readSessionsFromSupabase } from '@/lib/sessions/supabase-sessions';
import { readWithSupabase } from '@/lib/worker/read-with-supabase';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

/**
 * Local mode: the worker's list. Supabase mode: Supabase's synced copy and the worker's
 * answer, asked in parallel (see mergeSessions); either one alone is enough to answer.
 */
export const GET = withUser(async ({ user, requestId }) => {
  const call = () => callWorker({ user, method: 'GET', path: '/sessions', requestId });
  if (env().mode !== 'supabase') return relayWorkerResponse(await call(), requestId);
  return readWithSupabase({
    requestId,
    callWorker: call,
    readSynced: readSessionsFromSupabase,
    parseWorker: (body) => sessionListResponseSchema.parse(body).sessions,
    merge: (synced, fromWorker) => {
      const merged = mergeSessions(synced, fromWorker);
      return merged && { items: merged.sessions, source: merged.source };
    },
    key: 'sessions',
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

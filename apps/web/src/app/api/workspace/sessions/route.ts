import { sessionListResponseSchema } from '@grove/contract';

import { env } from '@/env';
import { withUser } from '@/lib/api/with-user';
import { mergeSessions } from '@/lib/sessions/merge-sessions';
import { readSessionsFromSupabase } from '@/lib/sessions/supabase-sessions';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

/**
 * Local mode: the worker's list. Supabase mode: Supabase's synced copy and the worker's
 * answer, asked in parallel (see mergeSessions); either one alone is enough to answer.
 */
export const GET = withUser(async ({ user, requestId }) => {
  const call = () => callWorker({ user, method: 'GET', path: '/sessions', requestId });
  if (env().mode !== 'supabase') return relayWorkerResponse(await call(), requestId);
  const [worker, synced] = await Promise.all([
    call().then(
      (response) => response,
      (error: unknown) => error,
    ),
    readSessionsFromSupabase(),
  ]);
  let fromWorker;
  if (worker instanceof Response && worker.ok) {
    fromWorker = sessionListResponseSchema.parse(await worker.json()).sessions;
  } else if (worker instanceof Response && worker.status < 500) {
    return relayWorkerResponse(worker, requestId);
  }
  const merged = mergeSessions(synced, fromWorker);
  if (!merged) {
    if (worker instanceof Response) return relayWorkerResponse(worker, requestId);
    throw worker;
  }
  return Response.json(
    { sessions: merged.sessions },
    {
      headers: {
        'cache-control': 'no-store',
        'x-request-id': requestId,
        'x-grove-sessions-source': merged.source,
      },
    },
  );
});

import { chatMessagesResponseSchema, parseOrThrow, sessionIdSchema } from '@grove/contract';

import { env } from '@/env';
import { withUser } from '@/lib/api/with-user';
import { mergeHistory } from '@/lib/chat/merge-history';
import { readHistoryFromSupabase } from '@/lib/chat/supabase-history';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

type Params = { id: string };

/**
 * Local mode: the worker's history. Supabase mode: Supabase's synced copy and the worker's
 * answer, asked in parallel and merged run by run (see mergeHistory); either one alone is
 * enough to answer, so history stays readable while the worker is down.
 */
export const GET = withUser<Params>(async ({ user, params, requestId }) => {
  const id = parseOrThrow(sessionIdSchema, params.id, 'session id');
  const call = () =>
    callWorker({ user, method: 'GET', path: `/sessions/${id}/messages`, requestId });
  if (env().mode !== 'supabase') return relayWorkerResponse(await call(), requestId);
  const [worker, synced] = await Promise.all([
    call().then(
      (response) => response,
      (error: unknown) => error,
    ),
    readHistoryFromSupabase(id),
  ]);
  let fromWorker;
  if (worker instanceof Response && worker.ok) {
    fromWorker = chatMessagesResponseSchema.parse(await worker.json()).messages;
  } else if (worker instanceof Response && worker.status < 500) {
    // The worker's 4xx (e.g. 404 for a session that is not this user's) is the answer.
    return relayWorkerResponse(worker, requestId);
  }
  const merged = mergeHistory(synced, fromWorker);
  // Supabase answering "nothing" for a session the worker cannot confirm is no answer.
  if (!merged || (merged.source === 'supabase' && merged.messages.length === 0)) {
    if (worker instanceof Response) return relayWorkerResponse(worker, requestId);
    throw worker;
  }
  return Response.json(
    { messages: merged.messages },
    {
      headers: {
        'cache-control': 'no-store',
        'x-request-id': requestId,
        'x-grove-messages-source': merged.source,
      },
    },
  );
});

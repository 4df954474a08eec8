import { chatMessagesResponseSchema, parseOrThrow, sessionIdSchema } from '@grove/contract';

import { env } from '@/env';
import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { mergeHistory } from '@/lib/chat/merge-history';
import { readHistoryFromSupabase } from '@/lib/chat/supabase-history';
import { readWithSupabase } from '@/lib/worker/read-with-supabase';
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
  return readWithSupabase({
    requestId,
    callWorker: call,
    readSynced: () => readHistoryFromSupabase(id),
    parseWorker: (body) => chatMessagesResponseSchema.parse(body).messages,
    merge: (synced, fromWorker) => {
      const merged = mergeHistory(synced, fromWorker);
      // Supabase answering "nothing" for a session the worker cannot confirm is no answer.
      if (!merged || (merged.source === 'supabase' && merged.messages.length === 0))
        return undefined;
      return { items: merged.messages, source: merged.source };
    },
    key: 'messages',
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

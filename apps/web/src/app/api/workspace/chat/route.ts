import { chatRequestBodySchema, parseOrThrow } from '@grove/contract';

import { readJson, withUser } from '@/lib/api/with-user';
import { relaySse } from '@/lib/worker/sse-proxy';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

export const dynamic = 'force-dynamic';

export const POST = withUser(async ({ req, user, requestId }) => {
  const body = parseOrThrow(chatRequestBodySchema, await readJson(req), 'chat message');
  // Not req.signal: the worker keeps the run going when the browser leaves, and so do we.
  const upstream = new AbortController();
  const response = await callWorker({
    user,
    method: 'POST',
    path: '/chat',
    requestId,
    json: body,
    headers: { accept: 'text/event-stream' },
    signal: upstream.signal,
    stream: true,
  });
  if (!response.ok) return relayWorkerResponse(response, requestId);
  return relaySse(response, requestId, upstream, req.signal);
});

import { lastEventIdSchema, parseOrThrow, sessionIdSchema } from '@grove/contract';

import { withUser } from '@/lib/api/with-user';
import { relaySse } from '@/lib/worker/sse-proxy';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

export const dynamic = 'force-dynamic';

type Params = { sessionId: string };

export const GET = withUser<Params>(async ({ req, user, params, requestId }) => {
  const sessionId = parseOrThrow(sessionIdSchema, params.sessionId, 'session id');
  const raw = req.headers.get('last-event-id');
  const lastEventId =
    raw === null ? undefined : parseOrThrow(lastEventIdSchema, raw, 'Last-Event-ID');
  const upstream = new AbortController();
  const response = await callWorker({
    user,
    method: 'GET',
    path: `/chat/${sessionId}/stream`,
    requestId,
    headers: {
      accept: 'text/event-stream',
      ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }),
    },
    signal: upstream.signal,
    stream: true,
  });
  if (!response.ok) return relayWorkerResponse(response, requestId);
  return relaySse(response, requestId, upstream, req.signal);
});

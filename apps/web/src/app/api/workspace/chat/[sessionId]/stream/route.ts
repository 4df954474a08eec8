import { lastEventIdSchema, parseOrThrow, sessionIdSchema } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { proxySse } from '@/lib/worker/sse-proxy';

export const dynamic = 'force-dynamic';

type Params = { sessionId: string };

export const GET = withUser<Params>(async ({ req, user, params, requestId }) => {
  const sessionId = parseOrThrow(sessionIdSchema, params.sessionId, 'session id');
  const raw = req.headers.get('last-event-id');
  const lastEventId =
    raw === null ? undefined : parseOrThrow(lastEventIdSchema, raw, 'Last-Event-ID');
  return proxySse(
    {
      user,
      method: 'GET',
      path: `/chat/${sessionId}/stream`,
      requestId,
      headers: lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) },
    },
    req.signal,
  );
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

import { parseOrThrow, sessionIdSchema } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

type Params = { sessionId: string };

export const POST = withUser<Params>(async ({ user, params, requestId }) => {
  const sessionId = parseOrThrow(sessionIdSchema, params.sessionId, 'session id');
  return relayWorkerResponse(
    await callWorker({ user, method: 'POST', path: `/chat/${sessionId}/stop`, requestId }),
    requestId,
  );
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

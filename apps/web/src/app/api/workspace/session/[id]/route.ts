import { parseOrThrow, sessionIdSchema } from '@grove/contract';

import { recordActivityOnSuccess } from '@/lib/activity/record-activity';
import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

type Params = { id: string };

export const GET = withUser<Params>(async ({ user, params, requestId }) => {
  const id = parseOrThrow(sessionIdSchema, params.id, 'session id');
  return relayWorkerResponse(
    await callWorker({ user, method: 'GET', path: `/sessions/${id}`, requestId }),
    requestId,
  );
});

export const DELETE = withUser<Params>(async ({ user, params, requestId }) => {
  const id = parseOrThrow(sessionIdSchema, params.id, 'session id');
  const relayed = await relayWorkerResponse(
    await callWorker({ user, method: 'DELETE', path: `/sessions/${id}`, requestId }),
    requestId,
  );
  await recordActivityOnSuccess(user, 'session.deleted', relayed, () => ({ sessionId: id }));
  return relayed;
});

export const { POST, PUT, PATCH, OPTIONS } = otherMethods(['GET', 'DELETE']);

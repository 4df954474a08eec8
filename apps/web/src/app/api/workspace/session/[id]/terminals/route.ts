import { parseOrThrow, sessionIdSchema } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

/** The session's terminals (running, exited, or from before a worker restart), for the tabs. */
export const GET = withUser<{ id: string }>(async ({ user, params, requestId }) => {
  const id = parseOrThrow(sessionIdSchema, params.id, 'session id');
  return relayWorkerResponse(
    await callWorker({ user, method: 'GET', path: `/sessions/${id}/terminals`, requestId }),
    requestId,
  );
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

import { parseOrThrow, sessionIdSchema } from '@grove/contract';

import { withUser } from '@/lib/api/with-user';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

type Params = { id: string };

export const GET = withUser<Params>(async ({ user, params, requestId }) => {
  const id = parseOrThrow(sessionIdSchema, params.id, 'session id');
  return relayWorkerResponse(
    await callWorker({ user, method: 'GET', path: `/sessions/${id}/messages`, requestId }),
    requestId,
  );
});

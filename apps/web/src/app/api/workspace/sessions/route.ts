import { withUser } from '@/lib/api/with-user';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

export const GET = withUser(async ({ user, requestId }) =>
  relayWorkerResponse(
    await callWorker({ user, method: 'GET', path: '/sessions', requestId }),
    requestId,
  ),
);

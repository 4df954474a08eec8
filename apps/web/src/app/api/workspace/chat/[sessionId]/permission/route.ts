import { chatPermissionBodySchema, parseOrThrow, sessionIdSchema } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

type Params = { sessionId: string };

export const POST = withUser<Params>(async ({ req, user, params, requestId }) => {
  const sessionId = parseOrThrow(sessionIdSchema, params.sessionId, 'session id');
  const body = parseOrThrow(chatPermissionBodySchema, await readJson(req), 'permission answer');
  return relayWorkerResponse(
    await callWorker({
      user,
      method: 'POST',
      path: `/chat/${sessionId}/permission`,
      requestId,
      json: body,
    }),
    requestId,
  );
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

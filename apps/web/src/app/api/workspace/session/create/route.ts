import { createSessionBodySchema, idempotencyKeySchema, parseOrThrow } from '@grove/contract';

import { readJson, withUser } from '@/lib/api/with-user';
import { githubTokenFor } from '@/lib/auth/github-token';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

export const POST = withUser(async ({ req, user, requestId }) => {
  const body = parseOrThrow(createSessionBodySchema, await readJson(req), 'session');
  const rawKey = req.headers.get('idempotency-key');
  const key =
    rawKey === null
      ? undefined
      : parseOrThrow(idempotencyKeySchema, rawKey, 'Idempotency-Key header');
  const response = await callWorker({
    user,
    method: 'POST',
    path: '/sessions',
    requestId,
    json: body,
    headers: key ? { 'idempotency-key': key } : {},
    githubToken: await githubTokenFor(user),
  });
  return relayWorkerResponse(response, requestId);
});

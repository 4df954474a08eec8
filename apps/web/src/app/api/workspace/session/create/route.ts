import { createSessionBodySchema, idempotencyKeySchema, parseOrThrow } from '@grove/contract';

import { recordActivityOnSuccess } from '@/lib/activity/record-activity';
import { otherMethods } from '@/lib/api/other-methods';
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
  const relayed = await relayWorkerResponse(response, requestId);
  // A replayed idempotent create is the same action again, not a new one.
  if (!relayed.headers.has('idempotent-replayed')) {
    await recordActivityOnSuccess(user, 'session.created', relayed, (answer) => ({
      sessionId: (answer as { session?: { id?: string } } | null)?.session?.id,
      repo: body.repo,
    }));
  }
  return relayed;
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

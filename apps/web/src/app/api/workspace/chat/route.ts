import { chatRequestBodySchema, parseOrThrow } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { proxySse } from '@/lib/worker/sse-proxy';

export const dynamic = 'force-dynamic';

export const POST = withUser(async ({ req, user, requestId }) => {
  const body = parseOrThrow(chatRequestBodySchema, await readJson(req), 'chat message');
  return proxySse({ user, method: 'POST', path: '/chat', requestId, json: body }, req.signal);
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

import { parseOrThrow, updateFromBaseBodySchema } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

/** Addition to the contract: update the session branch from its base (merge or rebase). */
export const POST = withUser<{ id: string }>(async (ctx) => {
  const raw = ctx.req.headers.get('content-length') === '0' ? {} : await readJson(ctx.req);
  const body = parseOrThrow(updateFromBaseBodySchema, raw, 'update');
  return proxySessionCall(ctx, {
    method: 'POST',
    suffix: '/git/update',
    json: body,
    needsGitHub: true,
  });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

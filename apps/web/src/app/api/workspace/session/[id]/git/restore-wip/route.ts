import { parseOrThrow, restoreWipBodySchema } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

/** Addition to the contract: apply a deleted session's saved uncommitted work to this one. */
export const POST = withUser<{ id: string }>(async (ctx) => {
  const body = parseOrThrow(restoreWipBodySchema, await readJson(ctx.req), 'restore');
  return proxySessionCall(ctx, { method: 'POST', suffix: '/git/restore-wip', json: body });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

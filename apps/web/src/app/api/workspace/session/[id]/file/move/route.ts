import { moveEntryBodySchema, parseOrThrow } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

/** Renames or moves a file or folder inside the worktree (addition to the contract). */
export const POST = withUser<{ id: string }>(async (ctx) => {
  const body = parseOrThrow(moveEntryBodySchema, await readJson(ctx.req), 'move');
  return proxySessionCall(ctx, { method: 'POST', suffix: '/file/move', json: body });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

import { createFolderBodySchema, parseOrThrow } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

/** Makes a folder and its missing parents (addition to the contract). */
export const POST = withUser<{ id: string }>(async (ctx) => {
  const body = parseOrThrow(createFolderBodySchema, await readJson(ctx.req), 'folder');
  return proxySessionCall(ctx, { method: 'POST', suffix: '/folder', json: body });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

import { gitCommitBodySchema, parseOrThrow } from '@grove/contract';

import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const POST = withUser<{ id: string }>(async (ctx) => {
  const body = parseOrThrow(gitCommitBodySchema, await readJson(ctx.req), 'commit');
  return proxySessionCall(ctx, { method: 'POST', suffix: '/git/commit', json: body });
});

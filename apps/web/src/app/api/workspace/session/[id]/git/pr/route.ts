import { createPullRequestBodySchema, parseOrThrow } from '@grove/contract';

import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const POST = withUser<{ id: string }>(async (ctx) => {
  const body = parseOrThrow(createPullRequestBodySchema, await readJson(ctx.req), 'pull request');
  return proxySessionCall(ctx, {
    method: 'POST',
    suffix: '/git/pr',
    json: body,
    needsGitHub: true,
  });
});

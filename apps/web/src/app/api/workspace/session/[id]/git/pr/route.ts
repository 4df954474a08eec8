import { createPullRequestBodySchema, parseOrThrow } from '@grove/contract';

import { recordActivityOnSuccess } from '@/lib/activity/record-activity';
import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const POST = withUser<{ id: string }>(async (ctx) => {
  const body = parseOrThrow(createPullRequestBodySchema, await readJson(ctx.req), 'pull request');
  const response = await proxySessionCall(ctx, {
    method: 'POST',
    suffix: '/git/pr',
    json: body,
    needsGitHub: true,
  });
  await recordActivityOnSuccess(ctx.user, 'git.pr', response, (answer) => {
    const pr = (answer as { pr?: { number?: number; url?: string } } | null)?.pr;
    return { sessionId: ctx.params.id, number: pr?.number, url: pr?.url };
  });
  return response;
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

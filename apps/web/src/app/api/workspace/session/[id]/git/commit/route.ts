import { gitCommitBodySchema, parseOrThrow } from '@grove/contract';

import { recordActivityOnSuccess } from '@/lib/activity/record-activity';
import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const POST = withUser<{ id: string }>(async (ctx) => {
  const body = parseOrThrow(gitCommitBodySchema, await readJson(ctx.req), 'commit');
  const response = await proxySessionCall(ctx, {
    method: 'POST',
    suffix: '/git/commit',
    json: body,
  });
  await recordActivityOnSuccess(ctx.user, 'git.commit', response, (answer) => ({
    sessionId: ctx.params.id,
    sha: (answer as { commit?: { sha?: string } } | null)?.commit?.sha,
  }));
  return response;
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

import { recordActivityOnSuccess } from '@/lib/activity/record-activity';
import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const POST = withUser<{ id: string }>(async (ctx) => {
  const response = await proxySessionCall(ctx, {
    method: 'POST',
    suffix: '/git/push',
    needsGitHub: true,
  });
  await recordActivityOnSuccess(ctx.user, 'git.push', response, (answer) => ({
    sessionId: ctx.params.id,
    branch: (answer as { branch?: string } | null)?.branch,
  }));
  return response;
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);

import { withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const POST = withUser<{ id: string }>((ctx) =>
  proxySessionCall(ctx, { method: 'POST', suffix: '/git/push', needsGitHub: true }),
);

import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const GET = withUser<{ id: string }>((ctx) =>
  proxySessionCall(ctx, { method: 'GET', suffix: '/git/status' }),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

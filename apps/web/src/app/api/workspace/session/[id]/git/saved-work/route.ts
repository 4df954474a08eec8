import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

/** Addition to the contract: work kept from this user's deleted sessions of the same repository. */
export const GET = withUser<{ id: string }>((ctx) =>
  proxySessionCall(ctx, { method: 'GET', suffix: '/git/saved-work' }),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

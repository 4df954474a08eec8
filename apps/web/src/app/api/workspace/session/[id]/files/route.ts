import { listFilesQuerySchema, parseOrThrow } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const GET = withUser<{ id: string }>(async (ctx) => {
  parseOrThrow(listFilesQuerySchema, Object.fromEntries(ctx.req.nextUrl.searchParams), 'query');
  return proxySessionCall(ctx, { method: 'GET', suffix: '/files', query: ['path'] });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

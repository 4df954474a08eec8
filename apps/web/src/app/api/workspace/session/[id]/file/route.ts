import {
  deleteEntryQuerySchema,
  parseOrThrow,
  readFileQuerySchema,
  writeFileBodySchema,
} from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { proxySessionCall } from '@/lib/worker/session-proxy';

export const GET = withUser<{ id: string }>(async (ctx) => {
  parseOrThrow(readFileQuerySchema, Object.fromEntries(ctx.req.nextUrl.searchParams), 'query');
  return proxySessionCall(ctx, { method: 'GET', suffix: '/file', query: ['path'] });
});

export const PUT = withUser<{ id: string }>(async (ctx) => {
  const body = parseOrThrow(writeFileBodySchema, await readJson(ctx.req), 'file');
  return proxySessionCall(ctx, { method: 'PUT', suffix: '/file', json: body });
});

/** Deletes a file, or a folder with everything in it (addition to the contract). */
export const DELETE = withUser<{ id: string }>(async (ctx) => {
  parseOrThrow(deleteEntryQuerySchema, Object.fromEntries(ctx.req.nextUrl.searchParams), 'query');
  return proxySessionCall(ctx, { method: 'DELETE', suffix: '/file', query: ['path'] });
});

export const { POST, PATCH, OPTIONS } = otherMethods(['GET', 'PUT', 'DELETE']);

import 'server-only';

import { parseOrThrow, sessionIdSchema } from '@grove/contract';

import type { HandlerContext } from '@/lib/api/with-user';
import { githubTokenFor } from '@/lib/auth/github-token';

import { callWorker, relayWorkerResponse } from './worker-client';

export interface SessionProxyOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Worker path under `/sessions/<id>`, e.g. `/git/status`. */
  suffix: string;
  /** Only the routes that talk to GitHub (push, pr, update) get the user's token. */
  needsGitHub?: boolean;
  /** The query parameters passed on to the worker (everything else is dropped). */
  query?: readonly string[];
  /** The validated body, already parsed with the contract schema. */
  json?: unknown;
}

/** Forwards one session-scoped call to the worker, signed for this user, and relays the answer. */
export async function proxySessionCall(
  ctx: HandlerContext<{ id: string }>,
  options: SessionProxyOptions,
): Promise<Response> {
  const id = parseOrThrow(sessionIdSchema, ctx.params.id, 'session id');
  const params = new URLSearchParams();
  for (const name of options.query ?? []) {
    const value = ctx.req.nextUrl.searchParams.get(name);
    if (value !== null) params.set(name, value);
  }
  const search = params.size > 0 ? `?${params.toString()}` : '';
  const response = await callWorker({
    user: ctx.user,
    method: options.method,
    path: `/sessions/${id}${options.suffix}${search}`,
    requestId: ctx.requestId,
    json: options.json,
    githubToken: options.needsGitHub ? await githubTokenFor(ctx.user) : undefined,
  });
  return relayWorkerResponse(response, ctx.requestId);
}

import 'server-only';

import { randomUUID } from 'node:crypto';

import { AppError, MAX_JSON_BODY_BYTES } from '@grove/contract';
import type { NextRequest } from 'next/server';

import { requireUser, type CurrentUser } from '@/lib/auth/current-user';

import { handleApiError } from './errors';
import { readBody } from './request-body';

export interface HandlerContext<P> {
  req: NextRequest;
  user: CurrentUser;
  params: P;
  requestId: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests that a browser sent from another site. Fetch metadata
 * first (every current browser sends it), Origin as the fallback; non-browser clients send
 * neither and are judged by their credentials alone. `anyMethod`: a GET that changes state
 * too (a SameSite=Lax cookie rides along on another site's link).
 */
export function assertSameOrigin(req: NextRequest, { anyMethod = false } = {}): void {
  if (!anyMethod && SAFE_METHODS.has(req.method)) return;
  const refused = () => new AppError('forbidden', 'Cross-site request refused');
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw refused();
  const origin = req.headers.get('origin');
  if (origin === null) return;
  // `null` (a sandboxed frame, a redirect) and anything that is not a URL are not this site.
  if (!URL.canParse(origin)) throw refused();
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  if (new URL(origin).host !== host) throw refused();
}

/**
 * Every authenticated route handler goes through here: request id, same-origin check,
 * the signed-in user (401 otherwise), and the one error mapper.
 */
export function withUser<P = Record<string, never>>(
  handler: (ctx: HandlerContext<P>) => Promise<Response>,
) {
  return async (req: NextRequest, route: { params: Promise<P> }): Promise<Response> => {
    const given = req.headers.get('x-request-id');
    const requestId = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    try {
      const user = await requireUser(req);
      assertSameOrigin(req);
      const params = await route.params;
      return await handler({ req, user, params, requestId });
    } catch (error) {
      return handleApiError(error, requestId);
    }
  };
}

/** Reads a JSON body: 413 past MAX_JSON_BODY_BYTES, 400 when it is not JSON. */
export async function readJson(req: NextRequest): Promise<unknown> {
  const body = await readBody(req, MAX_JSON_BODY_BYTES);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('bad_request', 'Request body is not valid JSON');
  }
}

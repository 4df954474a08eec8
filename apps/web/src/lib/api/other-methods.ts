import 'server-only';

import { AppError } from '@grove/contract';
import type { NextRequest } from 'next/server';

import { handleApiError } from './errors';
import { withUser } from './with-user';

/** OPTIONS too: Next's own answers it 204 with every method in Allow, session or not. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];
type Handler = (req: NextRequest, route: { params: Promise<unknown> }) => Promise<Response>;

/**
 * Handlers for the methods a route does not answer, so that they get the contract's error body
 * rather than Next's empty 405: 401 without a session (an /api route tells a stranger nothing,
 * as the catch-all does), otherwise 405 `method_not_allowed` with `Allow`. `open`: routes that
 * need no session (health, webhooks) answer the 405 to anyone.
 *
 *   export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
 */
export function otherMethods<const A extends Method>(
  allowed: readonly A[],
  { open = false } = {},
): Record<Exclude<Method, A>, Handler> {
  const allow = [...allowed, ...(allowed.includes('GET' as A) ? ['HEAD'] : [])].join(', ');
  const refuse = (req: NextRequest, requestId?: string) => {
    const response = handleApiError(
      new AppError('method_not_allowed', `${req.method} is not allowed here; use ${allow}`),
      requestId,
    );
    response.headers.set('allow', allow);
    return response;
  };
  const handler: Handler = open
    ? (req) => Promise.resolve(refuse(req))
    : withUser(({ req, requestId }) => Promise.resolve(refuse(req, requestId)));
  return Object.fromEntries(
    METHODS.filter((method) => !allowed.includes(method as A)).map((method) => [method, handler]),
  ) as Record<Exclude<Method, A>, Handler>;
}

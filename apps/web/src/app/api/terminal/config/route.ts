import {
  parseOrThrow,
  terminalConfigQuerySchema,
  terminalTicketResponseSchema,
  type TerminalConfigResponse,
} from '@grove/contract';

import { env } from '@/env';
import { otherMethods } from '@/lib/api/other-methods';
import { assertSameOrigin, withUser } from '@/lib/api/with-user';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

/**
 * A single-use, short-lived ticket for a terminal socket on the worker. The browser connects
 * to the worker directly; only this ticket travels in the URL, never a session token.
 */
export const GET = withUser(async ({ req, user, requestId }) => {
  // It starts a shell: another site's link must not (the cookie would ride along).
  assertSameOrigin(req, { anyMethod: true });
  const query = parseOrThrow(
    terminalConfigQuerySchema,
    Object.fromEntries(req.nextUrl.searchParams),
    'terminal config query',
  );
  const response = await callWorker({
    user,
    method: 'POST',
    path: '/terminals/tickets',
    requestId,
    json: query,
  });
  if (!response.ok) return relayWorkerResponse(response, requestId);
  const ticket = terminalTicketResponseSchema.parse(await response.json());
  const body: TerminalConfigResponse = {
    wsUrl: new URL(ticket.wsPath, env().workerPublicWsUrl).toString(),
    terminalId: ticket.terminalId,
    expiresAt: ticket.expiresAt,
  };
  return Response.json(body, {
    headers: { 'cache-control': 'no-store', 'x-request-id': requestId },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

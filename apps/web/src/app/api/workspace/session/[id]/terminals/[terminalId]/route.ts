import { parseOrThrow, sessionIdSchema, terminalIdSchema } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

type Params = { id: string; terminalId: string };

/**
 * Closes a terminal for good (addition to the contract). The worker checks that the terminal is
 * the signed-in user's and belongs to this session; anything else is its 404.
 */
export const DELETE = withUser<Params>(async ({ user, params, requestId }) => {
  const sessionId = parseOrThrow(sessionIdSchema, params.id, 'session id');
  const terminalId = parseOrThrow(terminalIdSchema, params.terminalId, 'terminal id');
  return relayWorkerResponse(
    await callWorker({
      user,
      method: 'DELETE',
      path: `/terminals/${terminalId}?sessionId=${sessionId}`,
      requestId,
    }),
    requestId,
  );
});

export const { GET, POST, PUT, PATCH, OPTIONS } = otherMethods(['DELETE']);

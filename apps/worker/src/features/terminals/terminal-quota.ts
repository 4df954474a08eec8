import { AppError } from '@grove/contract';

import type { Terminal } from './terminal';

/** Retry hint for a refused terminal (the user has to close one first). */
const TERMINAL_LIMIT_RETRY_AFTER_SECONDS = 10;

/** The user's terminals that still have their shell, counted per session. */
function liveBySession(terminals: Iterable<Terminal>, userId: string): Map<string, number> {
  const live = new Map<string, number>();
  for (const terminal of terminals)
    if (terminal.userId === userId && terminal.running)
      live.set(terminal.sessionId, (live.get(terminal.sessionId) ?? 0) + 1);
  return live;
}

/** How many of `terminals` are the user's and still have their shell. */
export function countLiveTerminals(terminals: Iterable<Terminal>, userId: string): number {
  let n = 0;
  for (const count of liveBySession(terminals, userId).values()) n += count;
  return n;
}

/**
 * Throws `terminal_limit` (429, with a retry hint) when the user may not start another shell.
 * The message says where the user's shells are (they may be in sessions not open in any tab),
 * so they know which to close. `describeSession` names a session for a person.
 */
export function assertUnderTerminalLimit(
  terminals: Iterable<Terminal>,
  userId: string,
  maxPerUser: number,
  describeSession: (sessionId: string) => string,
): void {
  const live = liveBySession(terminals, userId);
  const total = [...live.values()].reduce((sum, n) => sum + n, 0);
  if (total < maxPerUser) return;
  const where = [...live].map(([sessionId, n]) => `${n} in ${describeSession(sessionId)}`);
  throw new AppError(
    'terminal_limit',
    `At most ${maxPerUser} live terminals per user (open: ${where.join(', ')}); close one first`,
    {
      rateLimit: {
        retryAfter: TERMINAL_LIMIT_RETRY_AFTER_SECONDS,
        limit: maxPerUser,
        remaining: 0,
        reset: Math.ceil(Date.now() / 1000) + TERMINAL_LIMIT_RETRY_AFTER_SECONDS,
      },
    },
  );
}

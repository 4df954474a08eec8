import { AppError } from '@grove/contract';

import type { Terminal } from './terminal';

/** Retry hint for a refused terminal (the user has to close one first). */
const TERMINAL_LIMIT_RETRY_AFTER_SECONDS = 10;

/** How many of `terminals` are the user's and still have their shell. */
export function countLiveTerminals(terminals: Iterable<Terminal>, userId: string): number {
  let n = 0;
  for (const terminal of terminals) if (terminal.userId === userId && terminal.running) n++;
  return n;
}

/** Throws `terminal_limit` (429, with a retry hint) when the user may not start another shell. */
export function assertUnderTerminalLimit(live: number, maxPerUser: number): void {
  if (live < maxPerUser) return;
  throw new AppError(
    'terminal_limit',
    `At most ${maxPerUser} live terminals per user; close one first`,
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

import type { Logger } from 'pino';

import type { SessionStore } from '../sessions/session-store';
import type { Terminal } from './terminal';

/**
 * The sockets open on each session's terminals: an `active` session becomes `connected` when
 * its first socket opens, and `active` again when its last one closes.
 */
export class SessionConnections {
  readonly #store: SessionStore;
  readonly #logger: Logger;
  readonly #counts = new Map<string, number>();

  constructor(store: SessionStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /** Counts the sockets of `sessionId` on `terminals` again (one of them opened or closed one). */
  recount(sessionId: string, terminals: Iterable<Terminal>): void {
    let total = 0;
    for (const t of terminals) if (t.sessionId === sessionId) total += t.socketCount;
    const before = this.#counts.get(sessionId) ?? 0;
    this.#counts.set(sessionId, total);
    const session = this.#store.get(sessionId);
    if (!session) return;
    try {
      if (before === 0 && total > 0 && session.status === 'active')
        this.#store.transition(session.id, 'connected');
      if (before > 0 && total === 0 && session.status === 'connected')
        this.#store.transition(session.id, 'active');
    } catch (error) {
      this.#logger.warn(
        { err: error, sessionId: session.id },
        'could not update session connection status',
      );
    }
  }

  forget(sessionId: string): void {
    this.#counts.delete(sessionId);
  }
}

import type { Session } from '@grove/contract';

import { ApiError, apiFetch } from '@/lib/api/browser';

import { backoffDelay } from './backoff';
import { errorMessage } from './format';

/** While the session answers, it is read again this often (while the page is in view). */
export const SESSION_CHECK_MS = 10_000;
/**
 * While the session is being created it is read this often instead (as the sessions page
 * does): the panes that need its worktree, the terminal's first shell, start once it is ready.
 */
export const SESSION_CREATING_CHECK_MS = 1_000;
/**
 * A check not answered by then counts as an outage: a worker that stopped answering (rather
 * than refusing connections) would otherwise leave the page waiting without a word.
 */
export const SESSION_CHECK_TIMEOUT_MS = 15_000;

export type SessionWatchStatus =
  /** Not answered yet. */
  | { kind: 'loading' }
  | { kind: 'ok' }
  /** The session could not be read (the worker down, say): tried again in `inMs`. */
  | { kind: 'reconnecting'; message: string; inMs: number }
  /** Deleted (from another tab, say) or being deleted: nothing more to do here. */
  | { kind: 'gone' }
  /** The sign-in ended: the page goes to sign in again. */
  | { kind: 'signed-out' };

export interface SessionWatchOptions {
  sessionId: string;
  onSession: (session: Session) => void;
  onStatus: (status: SessionWatchStatus) => void;
  /** Reads the session (tests pass their own); `signal` aborts it when it takes too long. */
  readSession?: (sessionId: string, signal: AbortSignal) => Promise<Session>;
  /** Whether the page is in view: periodic checks pause while it is not. */
  isVisible?: () => boolean;
}

function readSessionFromApi(sessionId: string, signal: AbortSignal): Promise<Session> {
  return apiFetch<{ session: Session }>(`/api/workspace/session/${sessionId}`, {
    cache: 'no-store',
    signal,
  }).then((data) => data.session);
}

function checkInterval(session: Session): number {
  return session.status === 'creating' ? SESSION_CREATING_CHECK_MS : SESSION_CHECK_MS;
}

function pageVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}

/**
 * The IDE's view of whether its session is still there. It reads the session now and then,
 * and whenever asked (the worktree changed, a call answered 404, the browser came online):
 * a 404 means it was deleted (from another tab, say) and ends the watch; a failure to read it
 * (the worker down, the network gone) is retried with backoff until it answers again.
 */
export class SessionWatch {
  readonly #options: SessionWatchOptions;
  readonly #read: (sessionId: string, signal: AbortSignal) => Promise<Session>;
  readonly #visible: () => boolean;
  #status: SessionWatchStatus = { kind: 'loading' };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #inFlight = false;
  /** Asked to check while a check was under way: one more once it answers. */
  #again = false;
  #stopped = false;

  constructor(options: SessionWatchOptions) {
    this.#options = options;
    this.#read = options.readSession ?? readSessionFromApi;
    this.#visible = options.isVisible ?? pageVisible;
  }

  get status(): SessionWatchStatus {
    return this.#status;
  }

  /** With the session already at hand (the server read it), the first check waits its turn. */
  start(known?: Session): void {
    if (known) {
      this.#options.onSession(known);
      if (!this.#settle(known)) return;
      this.#schedule(checkInterval(known));
    } else {
      void this.check();
    }
  }

  /** Reads the session now (a pending retry or periodic check is brought forward). */
  async check(): Promise<void> {
    if (this.#stopped) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight = true;
    let session: Session | undefined;
    let failure: unknown;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), SESSION_CHECK_TIMEOUT_MS);
    try {
      session = await Promise.race([
        this.#read(this.#options.sessionId, timeout.signal),
        // Also when a reader does not heed the signal.
        new Promise<never>((_, reject) => {
          timeout.signal.addEventListener('abort', () => reject(timeout.signal.reason as Error));
        }),
      ]);
    } catch (error) {
      failure = timeout.signal.aborted
        ? new ApiError(
            504,
            'worker_unreachable',
            `No answer in ${SESSION_CHECK_TIMEOUT_MS / 1000}s (the worker may be down; see /workers)`,
          )
        : error;
    } finally {
      clearTimeout(timer);
      this.#inFlight = false;
    }
    if (this.#stopped) return;
    let next: number;
    if (session) {
      this.#attempt = 0;
      this.#options.onSession(session);
      if (!this.#settle(session)) return;
      next = checkInterval(session);
    } else if (failure instanceof ApiError && failure.status === 404) {
      return this.#end({ kind: 'gone' });
    } else if (failure instanceof ApiError && failure.status === 401) {
      return this.#end({ kind: 'signed-out' });
    } else {
      const retryAfter = failure instanceof ApiError ? (failure.retryAfter ?? 0) * 1000 : 0;
      next = Math.max(retryAfter, backoffDelay(this.#attempt));
      this.#attempt += 1;
      this.#setStatus({ kind: 'reconnecting', message: errorMessage(failure), inMs: next });
    }
    if (this.#again) {
      this.#again = false;
      return this.check();
    }
    this.#schedule(next);
  }

  dispose(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A session being deleted is as good as gone; false when that ended the watch. */
  #settle(session: Session): boolean {
    if (session.status === 'deleting') {
      this.#end({ kind: 'gone' });
      return false;
    }
    this.#setStatus({ kind: 'ok' });
    return true;
  }

  #end(status: SessionWatchStatus): void {
    this.dispose();
    this.#setStatus(status);
  }

  #setStatus(status: SessionWatchStatus): void {
    if (status.kind === 'ok' && this.#status.kind === 'ok') return;
    this.#status = status;
    this.#options.onStatus(status);
  }

  #schedule(inMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Out of view, a periodic check waits: coming back into view checks at once (the shell
      // asks). An outage keeps being retried, so the page is ready when it is looked at.
      if (this.#status.kind === 'ok' && !this.#visible()) this.#schedule(SESSION_CHECK_MS);
      else void this.check();
    }, inMs);
  }
}

import type { Session } from '@grove/contract';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '@/lib/api/browser';
import { sessionFixture } from '@/testing/session-fixture';

import { RECONNECT_MAX_MS } from './backoff';
import {
  SESSION_CHECK_MS,
  SESSION_CHECK_TIMEOUT_MS,
  SESSION_CREATING_CHECK_MS,
  SessionWatch,
  type SessionWatchStatus,
} from './session-watch';

const session = (status: Session['status'] = 'active'): Session => sessionFixture({ status });

const unreachable = () =>
  new ApiError(503, 'worker_unavailable', 'The worker is not reachable (see /workers)');

/** A watch whose reads answer, in turn, what `answers` holds (the last one from then on). */
function watching(answers: (Session | Error)[], visible = () => true) {
  const statuses: SessionWatchStatus[] = [];
  const sessions: Session[] = [];
  let reads = 0;
  const watch = new SessionWatch({
    sessionId: 'session0001',
    onSession: (s) => sessions.push(s),
    onStatus: (s) => statuses.push(s),
    readSession: () => {
      const answer = answers[Math.min(reads, answers.length - 1)]!;
      reads += 1;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    isVisible: visible,
  });
  return { watch, statuses, sessions, reads: () => reads };
}

describe('SessionWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('notices a session deleted elsewhere on its next check, and then stops checking', async () => {
    const { watch, statuses, reads } = watching([
      new ApiError(404, 'not_found', 'Session not found'),
    ]);
    watch.start(session());
    expect(statuses).toEqual([{ kind: 'ok' }]);
    expect(reads()).toBe(0);
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS);
    expect(reads()).toBe(1);
    expect(statuses.at(-1)).toEqual({ kind: 'gone' });
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS * 10);
    await watch.check();
    expect(reads()).toBe(1);
  });

  it('a 404 seen elsewhere is confirmed at once', async () => {
    const { watch, statuses } = watching([new ApiError(404, 'not_found', 'Session not found')]);
    watch.start(session());
    await watch.check();
    expect(statuses.at(-1)).toEqual({ kind: 'gone' });
  });

  it('takes a session being deleted for gone', async () => {
    const { watch, statuses } = watching([session('deleting')]);
    watch.start();
    await vi.waitFor(() => expect(statuses.at(-1)).toEqual({ kind: 'gone' }));
  });

  it('retries with backoff while the worker is down and recovers by itself', async () => {
    const { watch, statuses, sessions, reads } = watching([
      unreachable(),
      new TypeError('Failed to fetch'),
      unreachable(),
      session(),
    ]);
    watch.start();
    await vi.waitFor(() => expect(statuses.at(-1)?.kind).toBe('reconnecting'));
    expect(statuses.at(-1)).toMatchObject({ message: expect.stringContaining('not reachable') });
    expect(sessions).toEqual([]);
    // Three failures, each retried after a longer wait (within the cap), then the answer.
    for (let i = 0; i < 3; i += 1) await vi.advanceTimersToNextTimerAsync();
    expect(reads()).toBe(4);
    const waits = statuses.flatMap((s) => (s.kind === 'reconnecting' ? [s.inMs] : []));
    expect(waits).toHaveLength(3);
    expect(waits[2]!).toBeGreaterThan(waits[0]!);
    expect(Math.max(...waits)).toBeLessThanOrEqual(RECONNECT_MAX_MS);
    expect(statuses.at(-1)).toEqual({ kind: 'ok' });
    expect(sessions).toEqual([session()]);
    // Back to the periodic check.
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS);
    expect(reads()).toBe(5);
    watch.dispose();
  });

  it('an outage while the IDE is open is reported, not taken for a deletion', async () => {
    const { watch, statuses } = watching([unreachable(), session()]);
    watch.start(session());
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS);
    expect(statuses.at(-1)?.kind).toBe('reconnecting');
    await vi.advanceTimersToNextTimerAsync();
    // Said once, however many checks it stays up.
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS * 3);
    expect(statuses.map((s) => s.kind)).toEqual(['ok', 'reconnecting', 'ok']);
    watch.dispose();
  });

  it('reports an ended sign-in and stops', async () => {
    const { watch, statuses, reads } = watching([
      new ApiError(401, 'unauthorized', 'Sign in first'),
    ]);
    watch.start();
    await vi.waitFor(() => expect(statuses.at(-1)).toEqual({ kind: 'signed-out' }));
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS * 3);
    expect(reads()).toBe(1);
  });

  it('reads a session being created every second, and at the usual pace once it is ready', async () => {
    const { watch, sessions, reads } = watching([session('creating'), session('active')]);
    watch.start(session('creating'));
    await vi.advanceTimersByTimeAsync(SESSION_CREATING_CHECK_MS);
    expect(reads()).toBe(1);
    await vi.advanceTimersByTimeAsync(SESSION_CREATING_CHECK_MS);
    expect(reads()).toBe(2);
    expect(sessions.map((s) => s.status)).toEqual(['creating', 'creating', 'active']);
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS - 1);
    expect(reads()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(reads()).toBe(3);
    watch.dispose();
  });

  it('pauses periodic checks while the page is out of view, not the retries of an outage', async () => {
    let visible = false;
    const { watch, reads } = watching([session(), unreachable()], () => visible);
    watch.start(session());
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS * 3);
    expect(reads()).toBe(0);
    visible = true;
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS);
    expect(reads()).toBe(1);
    // Now the worker is down: retried even out of view.
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_MS);
    expect(reads()).toBe(2);
    visible = false;
    await vi.advanceTimersByTimeAsync(RECONNECT_MAX_MS * 2);
    expect(reads()).toBeGreaterThan(2);
    watch.dispose();
  });

  it('a check asked for during another is made once that one answers', async () => {
    let release!: () => void;
    const statuses: SessionWatchStatus[] = [];
    let reads = 0;
    const watch = new SessionWatch({
      sessionId: 'session0001',
      onSession: () => undefined,
      onStatus: (s) => statuses.push(s),
      readSession: () => {
        reads += 1;
        if (reads === 1)
          return new Promise<Session>((resolve) => {
            release = () => resolve(session());
          });
        return Promise.reject(new ApiError(404, 'not_found', 'Session not found'));
      },
      isVisible: () => true,
    });
    const first = watch.check();
    void watch.check();
    release();
    await first;
    expect(reads).toBe(2);
    expect(statuses.map((s) => s.kind)).toEqual(['ok', 'gone']);
  });

  it('a worker that stops answering is an outage after a while, not a page that waits', async () => {
    const statuses: SessionWatchStatus[] = [];
    let signal: AbortSignal | undefined;
    let reads = 0;
    const watch = new SessionWatch({
      sessionId: 'session0001',
      onSession: () => undefined,
      onStatus: (s) => statuses.push(s),
      readSession: (_id, given) => {
        reads += 1;
        signal = given;
        return reads === 1 ? new Promise<Session>(() => undefined) : Promise.resolve(session());
      },
      isVisible: () => true,
    });
    const first = watch.check();
    await vi.advanceTimersByTimeAsync(SESSION_CHECK_TIMEOUT_MS - 1);
    expect(statuses).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await first;
    // The hung request is let go, the page says so, and the next check comes soon.
    expect(signal?.aborted).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ kind: 'reconnecting', message: /No answer in 15s/ });
    const retry = statuses.at(-1) as { inMs: number };
    await vi.advanceTimersByTimeAsync(retry.inMs);
    expect(reads).toBe(2);
    expect(statuses.at(-1)).toEqual({ kind: 'ok' });
    watch.dispose();
  });
});

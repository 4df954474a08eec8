import type { SyncStatus } from '@grove/contract';
import type { Logger } from 'pino';

import { backoffDelay } from './backoff';
import type { SyncSink } from './supabase-sink';
import { isPermanentSyncError } from './sync-sink-error';
import { SENT_RETENTION_MS, type SyncStore } from './sync-store';

/** Entries per Supabase round trip: big enough for throughput, small enough for one request. */
export const SYNC_BATCH_SIZE = 500;
/** How often an idle loop looks for new entries (bounds the steady-state lag). */
export const SYNC_IDLE_POLL_MS = 100;
const PRUNE_EVERY_MS = 10 * 60_000;
/**
 * Attempts before an entry Supabase refuses for good is moved aside (a dead letter). More than
 * one, so a refusal caused by something transient on the server side gets a second chance.
 */
export const DEAD_LETTER_AFTER_ATTEMPTS = 5;

export interface SyncLoopDeps {
  store: SyncStore;
  sink: SyncSink;
  logger: Logger;
  batchSize?: number;
  idlePollMs?: number;
  /** Called after each batch lands, with each entry's lag (ms from write to Supabase). */
  onSynced?: (lagsMs: number[]) => void;
  onFailure?: () => void;
  onDeadLetter?: () => void;
  deadLetterAfter?: number;
}

/**
 * Drains the outbox to Supabase in the background: oldest first, a batch at a time, each batch
 * marked sent only after Supabase took all of it. A crash between the two resends the batch,
 * which the idempotent apply turns into a no-op. While Supabase fails it backs off
 * exponentially with jitter. It never runs inside a user request.
 */
export class SyncLoop {
  readonly #deps: SyncLoopDeps;
  readonly #batchSize: number;
  readonly #idlePollMs: number;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #consecutiveFailures = 0;
  #failuresTotal = 0;
  #lastSuccessAt: string | null = null;
  #lastFailureAt: string | null = null;
  #lastPrune = Date.now();
  /**
   * After a batch was refused for good, this many entries go one at a time, so the one that
   * is refused is found (and only it counts attempts) while the others land.
   */
  #isolating = 0;

  constructor(deps: SyncLoopDeps) {
    this.#deps = deps;
    this.#batchSize = deps.batchSize ?? SYNC_BATCH_SIZE;
    this.#idlePollMs = deps.idlePollMs ?? SYNC_IDLE_POLL_MS;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops after the batch in flight (if any) settles. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** One pass: sends at most one batch. Returns how many entries landed (0 when idle). */
  async drainOnce(): Promise<number> {
    const batch = this.#deps.store.pending(this.#isolating > 0 ? 1 : this.#batchSize);
    if (batch.length === 0) return 0;
    const ids = batch.map((entry) => entry.id);
    try {
      await this.#deps.sink.apply(batch);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#consecutiveFailures += 1;
      this.#failuresTotal += 1;
      this.#lastFailureAt = new Date().toISOString();
      this.#deps.onFailure?.();
      if (isPermanentSyncError(error)) return this.#handleRefusal(batch[0]!.id, ids, message);
      this.#deps.store.markFailed(ids, message);
      this.#deps.logger.warn(
        { err: message, batch: batch.length, failures: this.#consecutiveFailures },
        'outbox sync failed; backing off',
      );
      throw error;
    }
    const now = Date.now();
    const sentAt = new Date(now).toISOString();
    this.#deps.store.markSent(ids, sentAt);
    this.#isolating = Math.max(0, this.#isolating - batch.length);
    if (this.#consecutiveFailures > 0)
      this.#deps.logger.info({ after: this.#consecutiveFailures }, 'outbox sync recovered');
    this.#consecutiveFailures = 0;
    this.#lastSuccessAt = sentAt;
    this.#deps.onSynced?.(batch.map((entry) => now - Date.parse(entry.createdAt)));
    return batch.length;
  }

  /**
   * Supabase refused a batch for good. A batch of several: isolate (one entry at a time for
   * that many entries) and go again at once. A single entry: count its attempt; after
   * `deadLetterAfter` of them move it aside and keep draining — one bad entry must never hold
   * up the queue forever. Until then, back off like any failure.
   */
  #handleRefusal(firstId: number, ids: number[], message: string): number {
    if (ids.length > 1) {
      this.#isolating = ids.length;
      this.#deps.logger.warn(
        { err: message, batch: ids.length },
        'outbox batch refused; isolating',
      );
      return 0;
    }
    const attempts = this.#deps.store.recordAttempt(firstId, message);
    if (attempts < (this.#deps.deadLetterAfter ?? DEAD_LETTER_AFTER_ATTEMPTS)) {
      this.#deps.logger.warn({ err: message, entry: firstId, attempts }, 'outbox entry refused');
      throw new Error(message);
    }
    this.#deps.store.deadLetter(firstId, new Date().toISOString());
    this.#isolating = Math.max(0, this.#isolating - 1);
    this.#consecutiveFailures = 0;
    this.#deps.onDeadLetter?.();
    this.#deps.logger.error(
      { err: message, entry: firstId, attempts },
      'outbox entry refused for good; moved to dead letters',
    );
    return 0;
  }

  status(): SyncStatus {
    const backlog = this.#deps.store.backlog();
    return {
      enabled: true,
      outboxDepth: backlog.depth,
      lagMs: backlog.oldestCreatedAt
        ? Math.max(0, Date.now() - Date.parse(backlog.oldestCreatedAt))
        : 0,
      consecutiveFailures: this.#consecutiveFailures,
      deadLetters: this.#deps.store.deadLetterCount(),
      failuresTotal: this.#failuresTotal,
      lastSuccessAt: this.#lastSuccessAt,
      lastFailureAt: this.#lastFailureAt,
    };
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let wait = this.#idlePollMs;
      try {
        const sent = await this.drainOnce();
        // A full batch means more is waiting, and so does an isolation in progress: go again
        // at once.
        if (sent >= this.#batchSize || this.#isolating > 0) wait = 0;
        this.#maybePrune();
      } catch {
        wait = backoffDelay(this.#consecutiveFailures);
      }
      if (wait > 0 && this.#running) await this.#sleep(wait);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #maybePrune(): void {
    if (Date.now() - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = Date.now();
    this.#deps.store.pruneSent(new Date(Date.now() - SENT_RETENTION_MS).toISOString());
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    }).then(() => {
      clearTimeout(this.#timer);
      this.#wake = undefined;
    });
  }
}

import { createHash } from 'node:crypto';
import path from 'node:path';

import { AppError, type CreateSessionBody, type Session } from '@grove/contract';
import type { Logger } from 'pino';

import { newId } from '../../lib/ids';
import { scrubGitMessage, type GitProgress } from '../../lib/git';
import type { RepoMirrors } from './repo-mirrors';
import { resolveRepoSource } from './repo-source';
import { toSession, type SessionRow, type SessionStore } from './session-store';

/** How long a client waits before retrying a create refused by the session limit. */
export const SESSION_LIMIT_RETRY_AFTER_SECONDS = 30;

export interface SessionServiceOptions {
  dataDir: string;
  githubUrl: string;
  allowLocalRepos: boolean;
  maxSessionsPerRepo: number;
  store: SessionStore;
  mirrors: RepoMirrors;
  logger: Logger;
}

export interface RequestContext {
  userId: string;
  requestId?: string | undefined;
  githubToken?: string | undefined;
}

/** Called before a session's worktree goes away (terminals, agent runs hook in here). */
export type SessionTeardown = (session: SessionRow) => Promise<void> | void;

/**
 * Workspace sessions: each a git worktree on `session/<id>` from a per-repository mirror.
 * The row is written (`creating`) before any git work, so a crash at any point leaves a
 * row that start-up recovery can settle.
 */
export class SessionService {
  readonly #options: SessionServiceOptions;
  readonly #inFlight = new Map<string, Promise<Session>>();
  /** Fetch progress of sessions being created (the first fetch of a large repo takes a while). */
  readonly #progress = new Map<string, GitProgress>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #teardowns: SessionTeardown[] = [];

  constructor(options: SessionServiceOptions) {
    this.#options = options;
  }

  get store(): SessionStore {
    return this.#options.store;
  }

  get mirrors(): RepoMirrors {
    return this.#options.mirrors;
  }

  worktreePath(id: string): string {
    return path.join(this.#options.dataDir, 'worktrees', id);
  }

  onTeardown(hook: SessionTeardown): void {
    this.#teardowns.push(hook);
  }

  list(ctx: RequestContext): Session[] {
    return this.store.listForUser(ctx.userId).map((row) => this.#withProgress(row));
  }

  get(ctx: RequestContext, id: string): Session {
    return this.#withProgress(this.store.getOwned(ctx.userId, id));
  }

  #withProgress(row: SessionRow): Session {
    const progress = row.status === 'creating' ? this.#progress.get(row.id) : undefined;
    return progress ? { ...toSession(row), progress } : toSession(row);
  }

  /** The worktree of one of the user's usable sessions (404 otherwise). */
  requireWorktree(ctx: RequestContext, id: string): SessionRow {
    const row = this.store.getOwned(ctx.userId, id);
    if (row.status === 'creating' || row.status === 'deleting' || row.status === 'failed') {
      throw new AppError('conflict', `Session is ${row.status}`);
    }
    return row;
  }

  async create(
    ctx: RequestContext,
    body: CreateSessionBody,
    idempotencyKey?: string,
  ): Promise<{ session: Session; replayed: boolean }> {
    const source = resolveRepoSource(body.repo, this.#options);
    const requestHash = createHash('sha256')
      .update(JSON.stringify([body.repo, body.baseBranch ?? null, body.name ?? null]))
      .digest('hex');
    const flightKey = idempotencyKey ? `${ctx.userId}\0${idempotencyKey}` : undefined;
    const replay = () => {
      if (!idempotencyKey || !flightKey) return undefined;
      const known = this.store.findIdempotent(ctx.userId, idempotencyKey);
      if (!known) return undefined;
      if (known.request_hash !== requestHash) {
        throw new AppError('conflict', 'Idempotency-Key was already used with a different request');
      }
      const inFlight = this.#inFlight.get(flightKey);
      if (inFlight) return inFlight.then((session) => ({ session, replayed: true }));
      // A late retry must not bring back a session its user has deleted since.
      if (!this.store.get(known.session_id))
        throw new AppError(
          'conflict',
          'The session this Idempotency-Key created has been deleted; use a new key for a new session',
        );
      return { session: this.get(ctx, known.session_id), replayed: true };
    };
    const earlier = replay();
    if (earlier) return earlier;

    // The session shows the branch it starts from while it is being created too: when none is
    // asked for, the repository's default is looked up first (the mirror's, else the remote's).
    const baseBranch =
      body.baseBranch ?? (await this.#options.mirrors.defaultBranchOf(source, ctx.githubToken));
    // A request with the same key may have started meanwhile: checking and inserting below
    // are one synchronous step again.
    const meanwhile = replay();
    if (meanwhile) return meanwhile;

    const id = newId();
    const inserted = this.store.insertCreating(
      {
        id,
        userId: ctx.userId,
        repo: body.repo,
        repoKey: source.key,
        remoteUrl: source.remoteUrl,
        baseBranch,
        name: body.name ?? null,
        worktreePath: this.worktreePath(id),
      },
      this.#options.maxSessionsPerRepo,
      {
        requestId: ctx.requestId,
        idempotency: idempotencyKey ? { key: idempotencyKey, hash: requestHash } : undefined,
      },
    );
    if ('limited' in inserted) {
      const retryAfter = SESSION_LIMIT_RETRY_AFTER_SECONDS;
      throw new AppError(
        'session_limit',
        `At most ${this.#options.maxSessionsPerRepo} active sessions per repository: delete one to start another`,
        {
          rateLimit: {
            retryAfter,
            limit: this.#options.maxSessionsPerRepo,
            remaining: 0,
            reset: Math.ceil(Date.now() / 1000) + retryAfter,
          },
        },
      );
    }

    const work = this.#track(this.#materialise(ctx, inserted, source));
    if (flightKey) {
      this.#inFlight.set(flightKey, work);
      void work.finally(() => this.#inFlight.delete(flightKey)).catch(() => undefined);
    }
    try {
      return { session: await work, replayed: false };
    } catch (error) {
      if (idempotencyKey) this.store.forgetIdempotent(ctx.userId, idempotencyKey);
      throw error;
    }
  }

  async #materialise(
    ctx: RequestContext,
    row: SessionRow,
    source: ReturnType<typeof resolveRepoSource>,
  ): Promise<Session> {
    try {
      return await this.#createWorktree(ctx, row, source);
    } catch (error) {
      return await this.#failCreate(ctx, row, source, error);
    } finally {
      this.#progress.delete(row.id);
    }
  }

  async #createWorktree(
    ctx: RequestContext,
    row: SessionRow,
    source: ReturnType<typeof resolveRepoSource>,
  ): Promise<Session> {
    const { mirrors } = this.#options;
    const baseBranch = await mirrors.withLock(source.key, async () => {
      const mirror = await mirrors.ensure(source, ctx.githubToken, (progress) =>
        this.#progress.set(row.id, progress),
      );
      const base = row.base_branch || mirror.defaultBranch;
      await mirrors.addWorktree(mirror.path, row.worktree_path, row.branch_name, base);
      return base;
    });
    return toSession(this.store.transition(row.id, 'active', { baseBranch }, ctx));
  }

  /** Nothing half-made is left: whatever git created goes, then the row (or it is `failed`). */
  async #failCreate(
    ctx: RequestContext,
    row: SessionRow,
    source: ReturnType<typeof resolveRepoSource>,
    error: unknown,
  ): Promise<never> {
    const { mirrors, logger } = this.#options;
    await mirrors
      .withLock(source.key, () =>
        mirrors.removeWorktree(
          mirrors.mirrorPath(source.key),
          row.worktree_path,
          row.branch_name,
          false,
        ),
      )
      .catch((cleanupError: unknown) =>
        logger.error(
          { err: cleanupError, sessionId: row.id },
          'cleanup after failed create failed',
        ),
      );
    if (error instanceof AppError) {
      this.store.remove(row.id, ctx);
      throw error;
    }
    const message = scrubGitMessage(
      error instanceof Error ? error.message : String(error),
      ctx.githubToken ? [ctx.githubToken] : [],
    );
    logger.error({ sessionId: row.id, err: message }, 'session create failed');
    this.store.transition(row.id, 'failed', { error: message }, ctx);
    throw new AppError('repo_unavailable', `Could not create the worktree: ${message}`, {
      cause: error,
    });
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const row = this.store.getOwned(ctx.userId, id);
    if (row.status === 'creating')
      throw new AppError('invalid_transition', 'Session is still being created');
    if (row.status !== 'deleting') this.store.transition(id, 'deleting', {}, ctx);
    await this.#track(this.finishDelete(row, ctx));
  }

  /** Tears a session down to nothing; also used by recovery for rows left in `deleting`. */
  async finishDelete(
    row: SessionRow,
    audit?: { userId: string | null; requestId?: string | undefined },
  ): Promise<void> {
    const { mirrors } = this.#options;
    try {
      for (const teardown of this.#teardowns) await teardown(row);
      await mirrors.withLock(row.repo_key, () =>
        mirrors.removeWorktree(
          mirrors.mirrorPath(row.repo_key),
          row.worktree_path,
          row.branch_name,
          row.pushed_at !== null,
        ),
      );
      this.store.remove(row.id, audit);
    } catch (error) {
      const message = scrubGitMessage(error instanceof Error ? error.message : String(error));
      this.store.transition(row.id, 'failed', { error: `delete failed: ${message}` }, audit);
      throw new AppError(
        'internal_error',
        'Could not delete the session; it is marked failed, delete it again',
        { cause: error },
      );
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise)).catch(() => undefined);
    return promise;
  }

  /** Waits for creates and deletes under way (graceful shutdown), at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const all = Promise.allSettled([...this.#pending]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return drained;
  }
}

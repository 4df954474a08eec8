import { existsSync } from 'node:fs';
import path from 'node:path';

import {
  AppError,
  type CreatePullRequestBody,
  type GitDiffResponse,
  type GitStatusResponse,
  type PullRequest,
  type SavedWorkResponse,
  type WorkerTokenClaims,
} from '@grove/contract';
import type { Logger } from 'pino';

import {
  createGit,
  REMOTE_REFS,
  isGitAuthFailure,
  RemoteStalledError,
  runRemoteGit,
  scrubGitMessage,
} from '../../lib/git';
import type { RepoMirrors } from '../sessions/repo-mirrors';
import { resolveRepoSource, type RepoSource } from '../sessions/repo-source';
import type { RequestContext, SessionService } from '../sessions/session-service';
import type { SessionRow } from '../sessions/session-store';
import { readDiff, readStatus } from './git-inspect';
import {
  addEverything,
  aheadBehind,
  conflictedFiles,
  headSha,
  identityArgs,
  identityFrom,
  operationInProgress,
} from './git-helpers';
import type { GitStore } from './git-store';
import { githubRepoOf, openPullRequest } from './pull-requests';
import { restoreWip, snapshotWip } from './wip-snapshots';

export interface GitRequestContext extends RequestContext {
  claims?: WorkerTokenClaims | undefined;
}

export interface GitServiceOptions {
  githubUrl: string;
  githubApiUrl: string;
  sessions: SessionService;
  mirrors: RepoMirrors;
  store: GitStore;
  logger: Logger;
}

/**
 * A session's git workflow: status, diff, commit, push, pull request, update from base and
 * WIP snapshots. Anything that writes to the repository (refs, objects) holds the repository
 * lock; the user's GitHub token reaches only the one git process (or Octokit call) that
 * needs it.
 */
export class GitService {
  readonly #o: GitServiceOptions;

  constructor(options: GitServiceOptions) {
    this.#o = options;
    // Nothing lost: uncommitted work is kept before the worktree goes away.
    options.sessions.onTeardown((row) => this.#snapshotBeforeDelete(row));
  }

  #source(row: SessionRow): RepoSource {
    // The session exists, so its source was allowed when it was created.
    return resolveRepoSource(row.repo, { githubUrl: this.#o.githubUrl, allowLocalRepos: true });
  }

  #session(ctx: RequestContext, id: string): SessionRow {
    return this.#o.sessions.requireWorktree(ctx, id);
  }

  status(ctx: RequestContext, id: string): Promise<GitStatusResponse> {
    const row = this.#session(ctx, id);
    return readStatus(row, this.#o.mirrors.gitOptions(undefined));
  }

  diff(ctx: RequestContext, id: string, file?: string): Promise<GitDiffResponse> {
    const row = this.#session(ctx, id);
    return readDiff(row, this.#o.mirrors.gitOptions(undefined), file);
  }

  async commit(
    ctx: GitRequestContext,
    id: string,
    message: string,
  ): Promise<{ sha: string; message: string }> {
    const row = this.#session(ctx, id);
    const { mirrors } = this.#o;
    const sha = await mirrors.withLock(row.repo_key, async () => {
      const git = createGit(row.worktree_path, mirrors.gitOptions(undefined));
      if (await operationInProgress(git, row.worktree_path))
        throw new AppError('conflict', 'A merge or rebase is in progress in this worktree');
      const skipped = await addEverything(git);
      if (skipped.length > 0)
        throw new AppError(
          'validation_failed',
          `git cannot commit ${skipped.join(', ')}: the name is git's own. Rename or delete it, then commit.`,
          {
            details: skipped.map((item) => ({
              path: item,
              message: 'a name git keeps for itself',
            })),
          },
        );
      const staged = await git.raw(['diff', '--cached', '--name-only', '-z']);
      if (staged === '') throw new AppError('nothing_to_commit', 'There are no changes to commit');
      const before = await headSha(git);
      await git.raw([
        ...identityArgs(identityFrom(ctx.claims)),
        'commit',
        '--quiet',
        '--no-verify',
        '-m',
        message,
      ]);
      const after = await headSha(git);
      if (after === before) throw new Error('git commit did not create a commit');
      return after;
    });
    this.#o.store.audit('git.commit', id, ctx, { sha });
    return { sha, message };
  }

  async push(ctx: RequestContext, id: string): Promise<{ pushed: true; branch: string }> {
    const row = this.#session(ctx, id);
    const source = this.#source(row);
    const token = ctx.githubToken;
    if (source.isGitHub && !token) {
      throw new AppError(
        'github_token_required',
        'Pushing to GitHub needs your GitHub token; connect GitHub and try again',
      );
    }
    const { mirrors } = this.#o;
    const branch = row.branch_name;
    await mirrors.withLock(row.repo_key, async () => {
      let out: string;
      try {
        // --force-with-lease: the branch is the session's own, so after a rebase it may be
        // rewritten, but only over what this mirror last pushed. --progress: a long push prints
        // from its start, so it is not taken for a remote that stopped answering.
        out = await runRemoteGit(
          mirrors.mirrorPath(row.repo_key),
          mirrors.gitOptions(source, token),
          [
            'push',
            '--porcelain',
            '--progress',
            '--force-with-lease',
            'origin',
            `refs/heads/${branch}:refs/heads/${branch}`,
          ],
          row.remote_url,
        );
      } catch (error) {
        throw this.#pushError(error, token);
      }
      // simple-git resolves a failed push that printed nothing on stderr: judge by output.
      const line = out.split('\n').find((l) => l.includes(`refs/heads/${branch}:`));
      if (!line || !/^[ *+=]\t/.test(line)) {
        throw new AppError(
          'conflict',
          `The push was refused: ${scrubGitMessage(out, token ? [token] : [])}`,
        );
      }
    });
    const pushedAt = row.pushed_at ?? new Date().toISOString();
    this.#o.sessions.store.transition(id, row.status, { pushedAt }, ctx);
    this.#o.store.audit('git.push', id, ctx, { branch });
    return { pushed: true, branch };
  }

  #pushError(error: unknown, token: string | undefined): AppError {
    if (error instanceof RemoteStalledError)
      return new AppError('repo_unavailable', `Could not push: ${scrubGitMessage(error.message)}`, {
        cause: error,
      });
    const message = scrubGitMessage(
      error instanceof Error ? error.message : String(error),
      token ? [token] : [],
    );
    if (isGitAuthFailure(message))
      return new AppError('github_auth_failed', `GitHub refused the push: ${message}`, {
        cause: error,
      });
    if (/rejected|stale info|non-fast-forward/i.test(message))
      return new AppError('conflict', `The push was rejected: ${message}`, { cause: error });
    return new AppError('repo_unavailable', `Could not push: ${message}`, { cause: error });
  }

  async pullRequest(
    ctx: RequestContext,
    id: string,
    body: CreatePullRequestBody,
  ): Promise<PullRequest> {
    const row = this.#session(ctx, id);
    if (row.pr_number !== null && row.pr_url !== null && row.pr_state === 'open')
      return { number: row.pr_number, url: row.pr_url, state: 'open' };
    const github = githubRepoOf(row.remote_url, this.#o.githubUrl);
    if (!github)
      throw new AppError('conflict', 'Pull requests need a repository on the configured GitHub');
    if (!ctx.githubToken)
      throw new AppError('github_token_required', 'Opening a pull request needs your GitHub token');
    if (row.pushed_at === null)
      throw new AppError('conflict', 'Push the session branch before opening a pull request');
    const pr = await openPullRequest(
      this.#o.githubApiUrl,
      ctx.githubToken,
      {
        ...github,
        head: row.branch_name,
        base: body.base ?? row.base_branch,
        title: body.title,
        body: body.body,
        draft: body.draft,
      },
      this.#o.logger,
    );
    this.#o.store.recordPullRequest(id, pr, ctx);
    return pr;
  }

  /**
   * Brings the base branch's new commits into the session branch (merge or rebase). A
   * conflict aborts the operation, so the worktree is left as it was, and is reported as a
   * 409 naming the conflicting files.
   */
  async updateFromBase(
    ctx: GitRequestContext,
    id: string,
    strategy: 'merge' | 'rebase',
  ): Promise<{
    updated: true;
    strategy: 'merge' | 'rebase';
    head: string;
    ahead: number;
    behind: number;
  }> {
    const row = this.#session(ctx, id);
    const source = this.#source(row);
    const { mirrors, sessions } = this.#o;
    const result = await mirrors.withLock(row.repo_key, async () => {
      try {
        // --progress rather than --quiet: a long fetch prints from its start, so it is not
        // taken for a remote that stopped answering (runRemoteGit).
        await runRemoteGit(
          mirrors.mirrorPath(row.repo_key),
          mirrors.gitOptions(source, ctx.githubToken),
          ['fetch', '--progress', '--prune', '--no-tags', 'origin'],
          row.remote_url,
        );
      } catch (error) {
        throw new AppError(
          'repo_unavailable',
          `Could not fetch the base branch: ${scrubGitMessage(error instanceof RemoteStalledError ? error.message : String(error), ctx.githubToken ? [ctx.githubToken] : [])}`,
          { cause: error },
        );
      }
      const git = createGit(row.worktree_path, mirrors.gitOptions(undefined));
      if (await operationInProgress(git, row.worktree_path))
        throw new AppError('conflict', 'A merge or rebase is already in progress');
      const dirty = await git.raw(['status', '--porcelain', '--untracked-files=no']);
      if (dirty.trim() !== '')
        throw new AppError('conflict', 'Commit or discard your changes before updating from base');

      const previous = row.status;
      sessions.store.transition(id, 'updating', {}, ctx);
      try {
        const target = `${REMOTE_REFS}/${row.base_branch}`;
        const identity = identityArgs(identityFrom(ctx.claims));
        const args =
          strategy === 'merge'
            ? [...identity, 'merge', '--no-edit', '--quiet', target]
            : [...identity, 'rebase', '--quiet', target];
        let failure: Error | undefined;
        try {
          await git.raw(args);
        } catch (error) {
          failure = error instanceof Error ? error : new Error(`git ${strategy} failed`);
        }
        // Judge by the worktree, not the exit: a conflicting merge may print nothing on stderr.
        const conflicts = await conflictedFiles(git);
        if (conflicts.length > 0 || (await operationInProgress(git, row.worktree_path))) {
          await git.raw([strategy, '--abort']);
          throw new AppError(
            'update_conflict',
            `Updating from ${row.base_branch} conflicts in ${nameFiles(conflicts)}; nothing was changed`,
            { details: conflicts.map((file) => ({ path: file, message: 'conflict' })) },
          );
        }
        if (failure) throw failure;
        return { head: await headSha(git), ...(await aheadBehind(git, row.base_branch)) };
      } finally {
        sessions.store.transition(id, previous, {}, ctx);
      }
    });
    this.#o.store.clearBaseMoved(id, ctx, { strategy, head: result.head });
    return { updated: true, strategy, ...result };
  }

  /** What deleted sessions of this user and repository left behind, newest first. */
  savedWork(ctx: RequestContext, id: string): SavedWorkResponse {
    const row = this.#session(ctx, id);
    const saved = this.#o.store.listWipSnapshots(row.user_id, row.repo_key).map((snapshot) => ({
      from: snapshot.session_id,
      files: JSON.parse(snapshot.files) as string[],
      createdAt: snapshot.created_at,
      restoredAt: snapshot.restored_at,
    }));
    return { saved };
  }

  async restoreWip(ctx: RequestContext, id: string, from: string): Promise<string[]> {
    const row = this.#session(ctx, id);
    const { mirrors } = this.#o;
    return mirrors.withLock(row.repo_key, () =>
      restoreWip(row, from, mirrors.gitOptions(undefined), this.#o.store, ctx),
    );
  }

  /**
   * Start-up: a worker killed during an update may have left a merge or rebase half-done.
   * Abort it before recovery puts the session back to active, so the worktree is usable.
   */
  async abortInterruptedUpdates(): Promise<number> {
    let aborted = 0;
    for (const row of this.#o.sessions.store.listByStatus(['updating'])) {
      if (!existsSync(path.join(row.worktree_path, '.git'))) continue;
      const git = createGit(row.worktree_path, this.#o.mirrors.gitOptions(undefined));
      if (!(await operationInProgress(git, row.worktree_path))) continue;
      for (const operation of ['merge', 'rebase', 'cherry-pick']) {
        await git.raw([operation, '--abort']).catch(() => undefined);
      }
      this.#o.logger.warn({ sessionId: row.id }, 'aborted an update cut off by a restart');
      aborted++;
    }
    return aborted;
  }

  async #snapshotBeforeDelete(row: SessionRow): Promise<void> {
    const { mirrors } = this.#o;
    await mirrors.withLock(row.repo_key, () =>
      snapshotWip(
        row,
        mirrors.mirrorPath(row.repo_key),
        mirrors.gitOptions(undefined),
        this.#o.store,
        this.#o.logger,
      ),
    );
  }
}

/** "a.txt", "a.txt and b.txt", "a.txt, b.txt, c.txt and 4 more files". */
function nameFiles(files: string[], shown = 3): string {
  const named = files.slice(0, files.length > shown + 1 ? shown : files.length);
  const rest = files.length - named.length;
  if (rest > 0) return `${named.join(', ')} and ${rest} more files`;
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)!}` : named[0]!;
}

import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { AppError } from '@grove/contract';
import type { Logger } from 'pino';
import type { SimpleGit } from 'simple-git';

import { createGit, REMOTE_REFS, type GitEnvOptions } from '../../lib/git';
import type { SessionRow } from '../sessions/session-store';
import type { AuditWho, GitStore } from './git-store';
import { headSha, identityArgs, RAW_PATHS, withEverythingStaged } from './git-helpers';

/** The hidden ref a deleted session's uncommitted work is kept under, in its mirror. */
export function wipRef(sessionId: string): string {
  return `refs/grove/wip/${sessionId}`;
}

const SNAPSHOT_IDENTITY = { name: 'Grove', email: 'grove@grove.invalid' };

/**
 * Keeps a session's work that lives nowhere else before its worktree and branch are removed:
 * uncommitted changes (staged, unstaged and untracked) and commits that were never pushed.
 * `refs/grove/wip/<id>` gets a commit of the worktree as it is, whose first parent is where
 * that work starts: HEAD when every commit is on the remote, else the fork point from the base
 * branch. Its diff to the first parent is then all the unpushed work, which restoreWip applies
 * to another session; the second parent (HEAD, when it differs) keeps the commits themselves,
 * messages and all. Nothing is written when there is nothing to keep. Runs under the
 * repository lock, before the worktree is removed. Returns the files kept.
 */
export async function snapshotWip(
  row: SessionRow,
  mirror: string,
  options: GitEnvOptions,
  store: GitStore,
  logger: Logger,
): Promise<string[]> {
  if (!existsSync(path.join(row.worktree_path, '.git')) || !existsSync(mirror)) return [];
  const result = await withEverythingStaged(row.worktree_path, options, async (git, skipped) => {
    if (skipped.length > 0)
      logger.warn(
        { sessionId: row.id, skipped },
        'not kept: names git refuses to track (they go with the worktree)',
      );
    const tree = (await git.raw(['write-tree'])).trim();
    const head = await headSha(git);
    const { start, published } = await unpushedFrom(git, head, row.base_branch);
    const startTree = (await git.raw(['rev-parse', `${start}^{tree}`])).trim();
    if (published && tree === startTree) return undefined;
    const files = (
      await git.raw([...RAW_PATHS, 'diff-tree', '-r', '--name-only', '-z', start, tree])
    )
      .split('\0')
      .filter(Boolean);
    const commits =
      start === head
        ? 0
        : Number((await git.raw(['rev-list', '--count', `${start}..${head}`])).trim());
    const sha = (
      await git.raw([
        ...identityArgs(SNAPSHOT_IDENTITY),
        'commit-tree',
        tree,
        '-p',
        start,
        ...(start === head ? [] : ['-p', head]),
        '-m',
        `WIP of session ${row.id} (${row.branch_name}), kept when the session was deleted` +
          (commits > 0 ? `: ${commits} unpushed commit(s) and any uncommitted changes` : ''),
      ])
    ).trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new Error('could not write the WIP commit');
    await git.raw(['update-ref', wipRef(row.id), sha]);
    return { sha, files, commits };
  });
  if (!result) return [];
  store.saveWipSnapshot(row, wipRef(row.id), result.sha, result.files);
  logger.info(
    { sessionId: row.id, ref: wipRef(row.id), files: result.files.length, commits: result.commits },
    'uncommitted work kept',
  );
  return result.files;
}

/**
 * Where a session's unpushed work starts: HEAD if it is on the remote (any remote-tracking
 * branch contains it), else the fork point from the base branch. With no fork point (the base
 * is gone or unrelated) it is HEAD, unpublished: the snapshot is written anyway, and its only
 * parent, HEAD, keeps the commits.
 */
async function unpushedFrom(
  git: SimpleGit,
  head: string,
  baseBranch: string,
): Promise<{ start: string; published: boolean }> {
  const contained = await git.raw(['for-each-ref', '--contains', head, '--count=1', REMOTE_REFS]);
  if (contained.trim() !== '') return { start: head, published: true };
  try {
    const fork = (await git.raw(['merge-base', head, `${REMOTE_REFS}/${baseBranch}`])).trim();
    return { start: /^[0-9a-f]{40,64}$/.test(fork) ? fork : head, published: false };
  } catch {
    return { start: head, published: false };
  }
}

/**
 * Applies the WIP snapshot of a deleted session to another session's worktree as uncommitted
 * changes. `git apply` is all-or-nothing: if the patch does not fit, nothing changes and the
 * answer is a 409. Runs under the repository lock.
 */
export async function restoreWip(
  target: SessionRow,
  from: string,
  options: GitEnvOptions,
  store: GitStore,
  who: AuditWho,
): Promise<string[]> {
  const snapshot = store.getWipSnapshot(from);
  // Another user's snapshot, or one of another repository, does not exist for this caller.
  if (!snapshot || snapshot.user_id !== target.user_id || snapshot.repo_key !== target.repo_key)
    throw new AppError('not_found', 'No saved work for that session');
  const git = createGit(target.worktree_path, options);
  const patch = await git.raw([
    'diff',
    '--binary',
    '--no-color',
    '--no-ext-diff',
    `${snapshot.sha}^`,
    snapshot.sha,
  ]);
  const dir = await mkdtemp(path.join(tmpdir(), 'grove-wip-'));
  try {
    const file = path.join(dir, 'wip.patch');
    await writeFile(file, patch);
    try {
      const out = await git.raw(['apply', '--whitespace=nowarn', file]);
      if (/error:/i.test(out)) throw new Error(out);
    } catch (error) {
      throw new AppError(
        'update_conflict',
        'The saved work does not apply cleanly to this session; nothing was changed',
        { cause: error },
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  store.markWipRestored(from, target.id, who);
  return JSON.parse(snapshot.files) as string[];
}

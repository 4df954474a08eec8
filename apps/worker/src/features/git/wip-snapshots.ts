import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { AppError } from '@grove/contract';
import type { Logger } from 'pino';

import { createGit, type GitEnvOptions } from '../../lib/git';
import type { SessionRow } from '../sessions/session-store';
import type { AuditWho, GitStore } from './git-store';
import { identityArgs, RAW_PATHS, withEverythingStaged } from './git-helpers';

/** The hidden ref a deleted session's uncommitted work is kept under, in its mirror. */
export function wipRef(sessionId: string): string {
  return `refs/grove/wip/${sessionId}`;
}

const SNAPSHOT_IDENTITY = { name: 'Grove', email: 'grove@grove.invalid' };

/**
 * Snapshots uncommitted work (staged, unstaged and untracked) to `refs/grove/wip/<id>` as a
 * commit whose parent is the session's HEAD. Nothing is written when the worktree is clean.
 * Runs under the repository lock, before the worktree is removed. Returns the files kept.
 */
export async function snapshotWip(
  row: SessionRow,
  mirror: string,
  options: GitEnvOptions,
  store: GitStore,
  logger: Logger,
): Promise<string[]> {
  if (!existsSync(path.join(row.worktree_path, '.git')) || !existsSync(mirror)) return [];
  const result = await withEverythingStaged(row.worktree_path, options, async (git) => {
    const tree = (await git.raw(['write-tree'])).trim();
    const headTree = (await git.raw(['rev-parse', 'HEAD^{tree}'])).trim();
    if (tree === headTree) return undefined;
    const files = (
      await git.raw([...RAW_PATHS, 'diff-tree', '-r', '--name-only', '-z', 'HEAD', tree])
    )
      .split('\0')
      .filter(Boolean);
    const sha = (
      await git.raw([
        ...identityArgs(SNAPSHOT_IDENTITY),
        'commit-tree',
        tree,
        '-p',
        'HEAD',
        '-m',
        `WIP of session ${row.id} (${row.branch_name}), kept when the session was deleted`,
      ])
    ).trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new Error('could not write the WIP commit');
    await git.raw(['update-ref', wipRef(row.id), sha]);
    return { sha, files };
  });
  if (!result) return [];
  store.saveWipSnapshot(row, wipRef(row.id), result.sha, result.files);
  logger.info(
    { sessionId: row.id, ref: wipRef(row.id), files: result.files.length },
    'uncommitted work kept',
  );
  return result.files;
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

import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { AppError, type WorkerTokenClaims } from '@grove/contract';
import type { SimpleGit } from 'simple-git';

import { createGit, REMOTE_REFS, type GitEnvOptions } from '../../lib/git';
import { isReservedGitName } from '../files/worktree-paths';

/** Paths are printed raw (no C-quoting) so they can be matched and shown as they are. */
export const RAW_PATHS = ['-c', 'core.quotePath=false'];

export interface GitIdentity {
  name: string;
  email: string;
}

/** The commit author: the GitHub user from the web's token claims, or the local owner. */
export function identityFrom(claims: WorkerTokenClaims | undefined): GitIdentity {
  const login = claims?.login;
  const name = claims?.name ?? login ?? 'Grove owner';
  const email =
    claims?.email ?? (login ? `${login}@users.noreply.github.com` : 'owner@grove.invalid');
  return { name, email };
}

/** `-c user.name=… -c user.email=…` for one git command: no identity is ever written to config. */
export function identityArgs(identity: GitIdentity): string[] {
  return ['-c', `user.name=${identity.name}`, '-c', `user.email=${identity.email}`];
}

/**
 * Runs `task` with a git client whose index is a scratch copy of the worktree's, with every
 * change (untracked files included) added to it. The real index and the working tree are
 * never touched, so a snapshot or a diff can see everything without disturbing the user.
 * `skipped`: what git could not add (see addEverything).
 */
export async function withEverythingStaged<T>(
  worktree: string,
  options: GitEnvOptions,
  task: (git: SimpleGit, skipped: string[]) => Promise<T>,
): Promise<T> {
  const plain = createGit(worktree, options);
  const indexPath = path.resolve(
    worktree,
    (await plain.raw(['rev-parse', '--git-path', 'index'])).trim(),
  );
  const dir = await mkdtemp(path.join(tmpdir(), 'grove-index-'));
  const scratch = path.join(dir, 'index');
  try {
    if (existsSync(indexPath)) await copyFile(indexPath, scratch);
    const git = createGit(worktree, options, { GIT_INDEX_FILE: scratch });
    const skipped = await addEverything(git);
    return await task(git, skipped);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `git add --all` of the whole worktree. Paths git refuses to track (a `.GIT` folder made in a
 * terminal: see isReservedGitName) would fail it outright, so they are left out and returned,
 * topmost refused folder or file each; any other failure is thrown.
 */
export async function addEverything(git: SimpleGit): Promise<string[]> {
  try {
    await git.raw(['add', '--all', '--', '.']);
    return [];
  } catch (error) {
    if (!/invalid path/.test(String(error))) throw error;
    const untracked = await git.raw([
      ...RAW_PATHS,
      'ls-files',
      '--others',
      '--exclude-standard',
      '-z',
    ]);
    const refused = new Set<string>();
    for (const file of untracked.split('\0').filter(Boolean)) {
      const segments = file.split('/');
      const at = segments.findIndex(isReservedGitName);
      if (at >= 0) refused.add(segments.slice(0, at + 1).join('/'));
    }
    if (refused.size === 0) throw error;
    const skipped = [...refused].sort();
    await git.raw([
      'add',
      '--all',
      '--',
      '.',
      ...skipped.map((item) => `:(exclude,literal)${item}`),
    ]);
    return skipped;
  }
}

/** Files with unresolved conflicts in the worktree. */
export async function conflictedFiles(git: SimpleGit): Promise<string[]> {
  const out = await git.raw([...RAW_PATHS, 'diff', '--name-only', '--diff-filter=U', '-z']);
  return [...new Set(out.split('\0').filter(Boolean))];
}

const OPERATION_MARKERS = ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD'];

/** True when a merge, rebase or cherry-pick is half-done in this worktree. */
export async function operationInProgress(git: SimpleGit, worktree: string): Promise<boolean> {
  // One git process for all four paths (rev-parse prints one line per --git-path).
  const out = await git.raw(['rev-parse', ...OPERATION_MARKERS.flatMap((n) => ['--git-path', n])]);
  const paths = out.split('\n').filter(Boolean);
  if (paths.length !== OPERATION_MARKERS.length) throw new Error('unexpected rev-parse output');
  return paths.some((p) => existsSync(path.resolve(worktree, p)));
}

/** `behind ahead` of HEAD against the remote's base branch. */
export async function aheadBehind(
  git: SimpleGit,
  baseBranch: string,
): Promise<{ ahead: number; behind: number }> {
  const out = await git.raw([
    'rev-list',
    '--left-right',
    '--count',
    `${REMOTE_REFS}/${baseBranch}...HEAD`,
  ]);
  const match = /^(\d+)\s+(\d+)/.exec(out.trim());
  if (!match)
    throw new AppError('conflict', `Base branch ${baseBranch} is not known to the mirror`);
  return { behind: Number(match[1]), ahead: Number(match[2]) };
}

export async function headSha(git: SimpleGit): Promise<string> {
  const sha = (await git.raw(['rev-parse', '--verify', 'HEAD'])).trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new Error('HEAD is not a commit');
  return sha;
}

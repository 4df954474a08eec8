import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

import { AppError } from '@grove/contract';

export interface ResolvedPath {
  /** The worktree's real path (symlinks resolved). */
  root: string;
  /** The real path of the target, or for a missing target: its real parent plus its name. */
  absolute: string;
  /** `/`-separated, relative to the root; '' for the root itself. */
  relative: string;
  /** The path as asked for, normalized (through a link: the link's path, not its target's). */
  asked: string;
  exists: boolean;
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + path.sep);
}

function outside(): AppError {
  return new AppError('forbidden', 'Path is outside the worktree');
}

/**
 * Resolves `relative` inside the worktree and checks, on the real filesystem, that it stays
 * there: lexically first (`..`, absolute), then after following symlinks, so a link to `/etc`
 * is refused. A missing target is judged by its nearest existing ancestor. The contract
 * schema has already refused the obvious shapes; this is the check that actually confines.
 */
export async function resolveInWorktree(worktree: string, relative: string): Promise<ResolvedPath> {
  const root = await realpath(worktree);
  const lexical = path.resolve(root, relative);
  if (!isInside(root, lexical)) throw outside();

  let existing = lexical;
  const missing: string[] = [];
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (error) {
      // ENOTDIR: a path through a file (e.g. `.git/config` where `.git` is a file) is missing too.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      missing.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
  let real: string;
  try {
    real = await realpath(existing);
  } catch (error) {
    // A dangling symlink: where it points cannot be checked, so it is not followed.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw outside();
    throw error;
  }
  if (!isInside(root, real)) throw outside();
  const absolute = path.join(real, ...missing);
  return {
    root,
    absolute,
    relative: path.relative(root, absolute).split(path.sep).join('/'),
    asked: path.relative(root, lexical).split(path.sep).join('/'),
    exists: missing.length === 0,
  };
}

/**
 * A name git keeps for itself and refuses to track: `.git` in any case, and the aliases Windows
 * file systems resolve to it (`.git.`, `.git `, `git~1`, `.git:stream`), which git refuses on
 * every system (core.protectNTFS is on by default).
 */
export function isReservedGitName(name: string): boolean {
  return /^(?:\.git[. ]*|git~1)(?::.*)?$/i.test(name);
}

/** True for `.git` and anything under it: git's own state is not the browser's to touch. */
export function isGitInternal(relative: string): boolean {
  // Any repository's insides, a nested one's too (its hooks would run for git commands there),
  // and names git would refuse to commit (a `.GIT` folder would make every commit fail).
  return relative.split('/').some(isReservedGitName);
}

/** 403 for `.git` (any case, any alias) anywhere in any of the paths. */
export function refuseGitInternal(...relatives: string[]): void {
  if (relatives.some(isGitInternal))
    throw new AppError(
      'forbidden',
      '.git (in any case, or a name git treats as it) is not accessible through the files API',
    );
}

export interface ResolvedEntry {
  /** `/`-separated, relative to the root: the entry's resolved parent plus its own name. */
  relative: string;
  /** Where the entry itself is: its parent's real path plus its name (the name is not followed). */
  location: string;
  /** What the entry leads to (itself, or for a link inside the worktree: the link's target). */
  target: ResolvedPath;
  exists: boolean;
}

/**
 * The entry a path names, for operations on the entry itself (delete, move): confined exactly
 * as resolveInWorktree confines it (a link that leads out is refused even here, as the listing
 * hides it), but the last name is not followed, so deleting or renaming a link inside the
 * worktree touches the link and never what it points to. The worktree itself is no entry.
 */
export async function resolveEntryInWorktree(
  worktree: string,
  relative: string,
): Promise<ResolvedEntry> {
  const target = await resolveInWorktree(worktree, relative);
  const normal = path.posix.normalize(relative);
  const name = path.posix.basename(normal);
  if (normal === '.' || normal === '/' || name === '' || name === '.')
    throw new AppError('bad_request', 'path names the worktree itself');
  const parent = await resolveInWorktree(worktree, path.posix.dirname(normal));
  const location = path.join(parent.absolute, name);
  const exists = await lstat(location).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return false;
      throw error;
    },
  );
  return {
    relative: parent.relative ? `${parent.relative}/${name}` : name,
    location,
    target,
    exists,
  };
}

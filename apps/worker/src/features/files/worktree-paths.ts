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

/** A path through links that lead back to each other: refused like one that leads out. */
function loops(): AppError {
  return new AppError('forbidden', 'Path goes through a symbolic link that loops');
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
      if (code === 'ELOOP') throw loops();
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw outside();
    if (code === 'ELOOP') throw loops();
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
  /**
   * What the entry leads to: itself, or for a link, the link's target when that is inside the
   * worktree; `null` for a link that leads out, nowhere or in a loop (it is never followed).
   */
  target: ResolvedPath | null;
  /** The entry is a symbolic link: operations act on the link itself. */
  link: boolean;
  exists: boolean;
}

/**
 * The entry a path names, for operations on the entry itself (delete, move). Its parent is
 * confined exactly as resolveInWorktree confines any path (a link among the folders that leads
 * out is refused), but the last name is never followed: deleting or renaming a link touches the
 * link and never what it points to, wherever that is, so a link that leads out of the worktree
 * (which nothing can read or write through) can still be removed. The worktree itself is no
 * entry.
 */
export async function resolveEntryInWorktree(
  worktree: string,
  relative: string,
): Promise<ResolvedEntry> {
  const normal = path.posix.normalize(relative);
  const name = path.posix.basename(normal);
  if (normal === '.' || normal === '/' || name === '' || name === '.')
    throw new AppError('bad_request', 'path names the worktree itself');
  const parent = await resolveInWorktree(worktree, path.posix.dirname(normal));
  if (name === '..') throw outside(); // the schema refuses it first; never a name to act on
  const location = path.join(parent.absolute, name);
  const info = await lstat(location).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    if (error.code === 'ELOOP') throw loops();
    throw error;
  });
  const entryRelative = parent.relative ? `${parent.relative}/${name}` : name;
  if (info?.isSymbolicLink()) {
    // Where the link leads only decides the type answered (a link to a folder inside is a
    // folder, as the listing shows it); it is never followed out, nor is the answer an error.
    const target = await resolveInWorktree(worktree, entryRelative).catch(() => null);
    return { relative: entryRelative, location, target, link: true, exists: true };
  }
  return {
    relative: entryRelative,
    location,
    target: {
      root: parent.root,
      absolute: location,
      relative: entryRelative,
      asked: entryRelative,
      exists: info !== undefined,
    },
    link: false,
    exists: info !== undefined,
  };
}

import { lstat, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { AppError, type MoveEntryBody } from '@grove/contract';

import {
  refuseGitInternal,
  resolveEntryInWorktree,
  resolveInWorktree,
  type ResolvedEntry,
} from './worktree-paths';

/**
 * Creating folders, moving and deleting entries of one worktree (the session is checked by the
 * caller). Every path goes through the same confinement as reads and writes (resolveInWorktree
 * and the `.git` rule); for a move or delete, up to the entry's parent: the entry itself, a link
 * too, is what is acted on, and is never followed.
 */

export type EntryType = 'file' | 'dir';

/**
 * An entry to act on itself, and `.git` refused by its own name. Where a link points is not
 * checked: the link is moved or deleted, never its target, so a link that leads out of the
 * worktree (or into `.git`) can be renamed or removed like any file.
 */
async function resolveEntry(worktree: string, relative: string): Promise<ResolvedEntry> {
  const entry = await resolveEntryInWorktree(worktree, relative);
  refuseGitInternal(entry.relative);
  return entry;
}

async function resolveExisting(worktree: string, relative: string): Promise<ResolvedEntry> {
  const entry = await resolveEntry(worktree, relative);
  if (!entry.exists) throw new AppError('not_found', `No such file or folder: ${relative}`);
  return entry;
}

/**
 * A link to a file or folder inside counts as what it points to (the listing shows it so); a
 * link that leads out, nowhere or in a loop is a file (what it points to is not looked at).
 */
async function typeOf(entry: ResolvedEntry): Promise<EntryType> {
  if (!entry.target) return 'file';
  const info = await stat(entry.target.absolute).catch(() => undefined);
  return info?.isDirectory() ? 'dir' : 'file';
}

/** mkdir -p of `dir`; a file in the way is the caller's mistake, not a 500. */
async function makeParents(dir: string, field: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST')
      throw new AppError('bad_request', `A parent of ${field} is a file`);
    throw error;
  });
}

/** Makes the folder and its missing parents; `created: false` when it was there already. */
export async function createFolder(
  worktree: string,
  relative: string,
): Promise<{ path: string; created: boolean }> {
  const resolved = await resolveInWorktree(worktree, relative);
  refuseGitInternal(resolved.relative);
  if (resolved.relative === '') throw new AppError('bad_request', 'path names the worktree itself');
  if (resolved.exists) {
    if ((await stat(resolved.absolute)).isDirectory())
      return { path: resolved.relative, created: false };
    throw new AppError('conflict', `${resolved.relative} already exists and is a file`);
  }
  await makeParents(resolved.absolute, 'path');
  // The folders now exist: confirm they are where they were meant to be (nothing swapped in).
  const made = await resolveInWorktree(worktree, resolved.relative);
  return { path: made.relative, created: true };
}

/** Deletes a file, a link (never what it points to), or a folder with everything in it. */
export async function deleteEntry(
  worktree: string,
  relative: string,
): Promise<{ path: string; type: EntryType }> {
  const entry = await resolveExisting(worktree, relative);
  const type = await typeOf(entry);
  // rm does not follow links, at the top or inside the folder.
  await rm(entry.location, { recursive: true });
  return { path: entry.relative, type };
}

/**
 * Renames or moves `from` to `to`, making `to`'s missing parents. Anything at `to` is a 409
 * unless `overwrite` is set, and even then only a file replaces a file: a folder is never
 * replaced (that would delete what it holds). A name that differs only in case is a rename of
 * the same entry on a case-insensitive file system, not an overwrite.
 */
export async function moveEntry(
  worktree: string,
  body: MoveEntryBody,
): Promise<{ from: string; to: string; type: EntryType }> {
  const source = await resolveExisting(worktree, body.from);
  const type = await typeOf(source);
  const destination = await resolveEntry(worktree, body.to);
  if (destination.location === source.location)
    throw new AppError('bad_request', 'from and to name the same path');
  const sourceInfo = await lstat(source.location);
  if (sourceInfo.isDirectory() && destination.location.startsWith(source.location + path.sep))
    throw new AppError('bad_request', `A folder cannot be moved into itself (${body.to})`);
  if (destination.exists) {
    const existing = await lstat(destination.location);
    const sameEntry = existing.ino === sourceInfo.ino && existing.dev === sourceInfo.dev;
    if (!sameEntry) {
      if (!body.overwrite) throw new AppError('conflict', `${destination.relative} already exists`);
      if (existing.isDirectory())
        throw new AppError(
          'conflict',
          `${destination.relative} is a folder; a folder is never replaced`,
        );
      if (sourceInfo.isDirectory())
        throw new AppError(
          'conflict',
          `${destination.relative} is a file; a folder cannot replace it`,
        );
    }
  }
  await makeParents(path.dirname(destination.location), 'to');
  // Parents may have been made just now: check once more, as a write does.
  const again = await resolveEntry(worktree, destination.relative);
  await rename(source.location, again.location).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('not_found', `${source.relative} is gone`);
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR')
      throw new AppError('conflict', `${again.relative} already exists`);
    throw error;
  });
  return { from: source.relative, to: again.relative, type };
}

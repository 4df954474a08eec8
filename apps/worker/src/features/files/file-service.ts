import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import {
  AppError,
  formatBytes,
  MAX_DIR_ENTRIES,
  MAX_FILE_BYTES,
  worktreePathSchema,
  type CreateFolderBody,
  type FileEntry,
  type ListFilesResponse,
  type MoveEntryBody,
  type WriteFileBody,
} from '@grove/contract';

import type { RequestContext, SessionService } from '../sessions/session-service';
import { createFolder, deleteEntry, moveEntry, type EntryType } from './file-operations';
import {
  isReservedGitName,
  refuseGitInternal,
  resolveInWorktree,
  type ResolvedPath,
} from './worktree-paths';

/** Bytes looked at for a NUL to call a file binary (git uses the same heuristic). */
const BINARY_SNIFF_BYTES = 8000;

/** List, read, write, create, move and delete inside one session's worktree, and nowhere else. */
export class FileService {
  readonly #sessions: SessionService;

  constructor(sessions: SessionService) {
    this.#sessions = sessions;
  }

  /**
   * A folder's entries, folders first, then files, each by name; at most MAX_DIR_ENTRIES of
   * them. All names are read and sorted before the cut, so a big folder answers the same first
   * entries whatever order the disk lists them in (its folders among them), and says it was
   * cut. Only what the sort needs is looked at for all of them (a link's target, to know if it
   * is a folder); files' sizes are read for the entries answered only.
   */
  async list(ctx: RequestContext, id: string, dir: string): Promise<ListFilesResponse> {
    const row = this.#sessions.requireWorktree(ctx, id);
    const resolved = await resolveInWorktree(row.worktree_path, dir);
    refuseGitInternal(resolved.asked, resolved.relative);
    if (!resolved.exists) throw new AppError('not_found', 'No such directory');
    if (!(await stat(resolved.absolute)).isDirectory())
      throw new AppError('bad_request', 'Not a directory');
    const dirents = await readdir(resolved.absolute, { withFileTypes: true });
    const listed: Listed[] = [];
    const links: { name: string; rel: string }[] = [];
    for (const dirent of dirents) {
      if (isReservedGitName(dirent.name)) continue;
      const rel = resolved.asked ? `${resolved.asked}/${dirent.name}` : dirent.name;
      // A name no request could name (a newline, a backslash in it) is not listed either.
      if (!worktreePathSchema.safeParse(rel).success) continue;
      if (dirent.isDirectory()) listed.push({ name: dirent.name, path: rel, type: 'dir', size: 0 });
      else if (dirent.isFile()) listed.push({ name: dirent.name, path: rel, type: 'file' });
      else if (dirent.isSymbolicLink()) links.push({ name: dirent.name, rel });
      // else a FIFO, socket or device: nothing the files API can open
    }
    // What each link leads to decides where it sorts (a folder's link goes with the folders):
    // resolved LINKS_AT_ONCE at a time, so the file system's threads work on them together.
    for (let i = 0; i < links.length; i += LINKS_AT_ONCE) {
      const batch = links.slice(i, i + LINKS_AT_ONCE);
      const described = await Promise.all(
        batch.map((link) => describeLink(row.worktree_path, link.name, link.rel)),
      );
      for (const entry of described) if (entry) listed.push(entry);
    }
    listed.sort(compareEntries);

    const entries: FileEntry[] = [];
    let total = listed.length;
    for (const entry of listed) {
      if (entries.length >= MAX_DIR_ENTRIES) break;
      if (entry.size !== undefined) {
        entries.push({ ...entry, size: entry.size });
        continue;
      }
      // lstat: a file swapped for a link since readdir is not followed (and not listed).
      const info = await lstat(path.join(resolved.absolute, entry.name)).catch(() => undefined);
      if (!info?.isFile()) {
        total -= 1; // gone since readdir: the next one takes its place
        continue;
      }
      entries.push({ ...entry, size: info.size });
    }
    return { entries, truncated: entries.length < total, total };
  }

  async read(
    ctx: RequestContext,
    id: string,
    file: string,
  ): Promise<{ path: string; content: string; size: number; version: string }> {
    const row = this.#sessions.requireWorktree(ctx, id);
    const resolved = await resolveInWorktree(row.worktree_path, file);
    refuseGitInternal(resolved.asked, resolved.relative);
    if (!resolved.exists) throw new AppError('not_found', 'No such file');
    // O_NOFOLLOW on the resolved real path: a link swapped in after the check is not followed.
    // O_NONBLOCK: a FIFO opens at once (and is refused below) rather than holding one of the
    // few libuv threads, which every user's file operations share, until something writes to it.
    const handle = await open(
      resolved.absolute,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    ).catch((error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'ELOOP'
        ? new AppError('forbidden', 'path is a symbolic link')
        : error;
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new AppError('bad_request', 'Not a regular file');
      if (info.size > MAX_FILE_BYTES) {
        throw new AppError(
          'file_too_large',
          `File is ${formatBytes(info.size)}; the editor opens files up to ${formatBytes(MAX_FILE_BYTES)}`,
        );
      }
      const buffer = await handle.readFile();
      if (buffer.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
        throw new AppError('binary_file', 'Binary files cannot be opened in the editor');
      }
      let content: string;
      try {
        // The text as its bytes are: a BOM stays (U+FEFF), as do CRs, so writing back what was
        // read writes the same bytes (the editor keeps a file's BOM and line endings).
        content = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer);
      } catch {
        throw new AppError('binary_file', 'File is not valid UTF-8 text');
      }
      // The path asked for: a file opened through a link keeps the link's name.
      return { path: resolved.asked, content, size: buffer.length, version: versionOf(buffer) };
    } finally {
      await handle.close();
    }
  }

  async write(
    ctx: RequestContext,
    id: string,
    body: WriteFileBody,
  ): Promise<{ path: string; size: number; version: string }> {
    const row = this.#sessions.requireWorktree(ctx, id);
    const data = Buffer.from(body.content, 'utf8');
    if (data.length > MAX_FILE_BYTES) {
      throw new AppError(
        'file_too_large',
        `Content is ${formatBytes(data.length)}; at most ${formatBytes(MAX_FILE_BYTES)} can be written`,
      );
    }
    const resolved = await resolveInWorktree(row.worktree_path, body.path);
    refuseGitInternal(resolved.asked, resolved.relative);
    if (resolved.relative === '') throw new AppError('bad_request', 'path names the worktree');
    await mkdir(path.dirname(resolved.absolute), { recursive: true }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EEXIST')
        throw new AppError('bad_request', 'A parent of path is a file');
      throw error;
    });
    // Parents may have been created just now: check once more before writing.
    const again = await resolveInWorktree(row.worktree_path, resolved.relative);
    // With a base version the file must exist and is checked and written through one handle.
    // Create-only: O_EXCL makes "nothing there yet" and the creation one step. O_NONBLOCK: as
    // in read (a FIFO without a reader is ENXIO at once); O_TRUNC, which would cut a file
    // before it is known to be one, is done after the check.
    const flags =
      constants.O_NOFOLLOW |
      constants.O_NONBLOCK |
      (body.createOnly
        ? constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL
        : body.baseVersion === undefined
          ? constants.O_WRONLY | constants.O_CREAT
          : constants.O_RDWR);
    const handle = await open(again.absolute, flags, 0o644).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new AppError('conflict', `${again.relative} already exists`);
      if (code === 'EISDIR') throw new AppError('bad_request', 'path is a directory');
      if (code === 'ELOOP') throw new AppError('forbidden', 'path is a symbolic link');
      if (code === 'ENOENT') throw changedOnDisk(again.relative, 'was deleted');
      if (code === 'ENXIO') throw new AppError('bad_request', 'Not a regular file');
      throw error;
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new AppError('bad_request', 'Not a regular file');
      if (body.baseVersion !== undefined) {
        const current = info.size > MAX_FILE_BYTES ? undefined : versionOf(await handle.readFile());
        if (current !== body.baseVersion) throw changedOnDisk(again.relative, 'changed');
      }
      await handle.truncate(0);
      for (let written = 0; written < data.length;) {
        const { bytesWritten } = await handle.write(data, written, data.length - written, written);
        written += bytesWritten;
      }
    } finally {
      await handle.close();
    }
    return { path: resolved.asked, size: data.length, version: versionOf(data) };
  }

  async createFolder(
    ctx: RequestContext,
    id: string,
    body: CreateFolderBody,
  ): Promise<{ path: string; created: boolean }> {
    return createFolder(this.#sessions.requireWorktree(ctx, id).worktree_path, body.path);
  }

  async move(
    ctx: RequestContext,
    id: string,
    body: MoveEntryBody,
  ): Promise<{ from: string; to: string; type: EntryType }> {
    return moveEntry(this.#sessions.requireWorktree(ctx, id).worktree_path, body);
  }

  async delete(
    ctx: RequestContext,
    id: string,
    entry: string,
  ): Promise<{ path: string; type: EntryType }> {
    return deleteEntry(this.#sessions.requireWorktree(ctx, id).worktree_path, entry);
  }
}

/** Links resolved together while listing a folder. */
const LINKS_AT_ONCE = 64;

/** An entry to list; a file's size is read only once it is among the entries answered. */
type Listed = Omit<FileEntry, 'size'> & { size?: number };

/** The listing's order: folders first, then files, each by name. */
function compareEntries(a: Listed, b: Listed): number {
  return a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1;
}

/**
 * A symbolic link as the listing shows it: as what it leads to when that is a file or folder
 * inside the worktree (under its own name); else, leading out of the worktree, nowhere or in a
 * loop, never followed but shown (as a file, marked) so that it can be renamed or deleted.
 */
async function describeLink(
  worktree: string,
  name: string,
  rel: string,
): Promise<Listed | undefined> {
  let target: ResolvedPath;
  try {
    target = await resolveInWorktree(worktree, rel);
  } catch {
    return { name, path: rel, type: 'file', size: 0, link: 'outside' };
  }
  const info = await stat(target.absolute).catch(() => undefined);
  if (!info || !(info.isFile() || info.isDirectory())) return undefined;
  return info.isDirectory()
    ? { name, path: rel, type: 'dir', size: 0 }
    : { name, path: rel, type: 'file', size: info.size };
}

/** A file's version as the contract defines it: the SHA-256 of its bytes. */
function versionOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function changedOnDisk(file: string, how: 'changed' | 'was deleted'): AppError {
  return new AppError(
    'conflict',
    `${file} ${how} on disk after it was opened here (by a command or the agent); your save was not written`,
  );
}

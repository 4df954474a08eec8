/**
 * What the editor does when it reads its open file again (every few seconds, and whenever the
 * worktree may have changed) and the file on disk is not what it opened.
 */
export type DiskReaction =
  /** Still the version opened here. */
  | 'unchanged'
  /** Deleted before, and now back as it was: the deleted notice goes. */
  | 'back'
  /** Changed, and nothing unsaved here: show the new version. */
  | 'reload'
  /** Changed under unsaved edits: the user chooses (reload from disk, or overwrite). */
  | 'changed-under-edits'
  /** Deleted, nothing unsaved here: say so (the last content stays, to write it again). */
  | 'deleted'
  /** Deleted under unsaved edits: the user chooses (drop them, or write the file again). */
  | 'deleted-under-edits';

export interface OpenFile {
  /** Unsaved edits in the editor. */
  dirty: boolean;
  /** The version the editor's content is based on. */
  version: string | undefined;
  /** The last read found the file deleted. */
  missing: boolean;
  /**
   * `version` when the read was sent. A save (or another read) that ended meanwhile moved it:
   * the answer may then predate that save, and is not news (the next check reads again).
   */
  versionAtRead?: string | undefined;
}

/** `read` is the file's version on disk now, or `missing` for a 404. */
export function diskReaction(open: OpenFile, read: { version: string } | 'missing'): DiskReaction {
  if ('versionAtRead' in open && open.versionAtRead !== open.version) return 'unchanged';
  if (read === 'missing') return open.dirty ? 'deleted-under-edits' : 'deleted';
  if (read.version === open.version) return open.missing ? 'back' : 'unchanged';
  return open.dirty ? 'changed-under-edits' : 'reload';
}

/** What the editor says after a reaction, and whether it is a choice the user has to make. */
export function diskNotice(
  reaction: Exclude<DiskReaction, 'unchanged'>,
  path: string,
): { conflict: boolean; notice: string } {
  switch (reaction) {
    case 'back':
      return { conflict: false, notice: `${path} is back on disk.` };
    case 'changed-under-edits':
      return {
        conflict: true,
        notice: `${path} changed on disk since it was opened here. Reload from disk drops your edits; Overwrite with mine keeps them.`,
      };
    case 'deleted-under-edits':
      return {
        conflict: true,
        notice: `${path} was deleted on disk since it was opened here. Overwrite with mine writes it again with your edits; Reload from disk drops them.`,
      };
    case 'deleted':
      return {
        conflict: false,
        notice: `${path} was deleted on disk. The editor still shows its last content: Write it again saves it back.`,
      };
    case 'reload':
      return { conflict: false, notice: `${path} changed on disk: showing the new version.` };
  }
}

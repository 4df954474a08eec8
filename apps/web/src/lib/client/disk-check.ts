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
}

/** `read` is the file's version on disk now, or `missing` for a 404. */
export function diskReaction(open: OpenFile, read: { version: string } | 'missing'): DiskReaction {
  if (read === 'missing') return open.dirty ? 'deleted-under-edits' : 'deleted';
  if (read.version === open.version) return open.missing ? 'back' : 'unchanged';
  return open.dirty ? 'changed-under-edits' : 'reload';
}

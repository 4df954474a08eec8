import type { Draft } from './drafts';
import { formatAge } from './format';

/** What opening a file says about unsaved edits of it found in the browser, or about a rename. */
export type DraftOpening =
  /** No edits kept and not renamed: nothing to say. */
  | { kind: 'plain' }
  /** Renamed, without unsaved edits. */
  | { kind: 'renamed'; notice: string }
  /** Renamed, and its unsaved edits came along (made on the version on disk). */
  | { kind: 'carried'; notice: string }
  /** Unsaved edits restored; `stale` when the file changed or went on disk since (a conflict). */
  | { kind: 'restored'; stale: boolean; notice: string };

export function draftOpening({
  path,
  draft,
  file,
  renamed,
  now = Date.now(),
}: {
  path: string;
  /** The draft of `path` kept in the browser, if any (one equal to the file is none). */
  draft: Draft | undefined;
  /** The file on disk, undefined when it is not there. */
  file: { version: string } | undefined;
  /** The path the file was renamed from, when opening it follows a rename. */
  renamed: string | undefined;
  now?: number;
}): DraftOpening {
  if (draft && renamed && draft.baseVersion === file?.version)
    return { kind: 'carried', notice: `Renamed from ${renamed}; your unsaved edits came along.` };
  if (draft) {
    const stale = draft.baseVersion !== file?.version;
    const age = formatAge(new Date(draft.savedAt).toISOString(), now);
    return {
      kind: 'restored',
      stale,
      notice: !file
        ? `Restored your unsaved edits from ${age} ago, but ${path} was deleted on disk since. Overwrite with mine writes it again.`
        : stale
          ? `Restored your unsaved edits from ${age} ago, but ${path} changed on disk since.`
          : `Restored your unsaved edits from ${age} ago.`,
    };
  }
  if (renamed) return { kind: 'renamed', notice: `Renamed from ${renamed}.` };
  return { kind: 'plain' };
}

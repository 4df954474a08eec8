import type { Draft } from './drafts';
import { formatAge } from './format';
import { detectTextFormat, editorText, type TextFormat } from './line-endings';

/**
 * What the editor opens with: the draft's text, or the file's when there is no draft or the
 * draft is the file (then `draftIsFile`, and the draft is dropped); both as the editor holds
 * text (`\n`, no BOM). `format` is what a save writes it back with: the file's line endings
 * and BOM while it is on disk, whatever the draft has (a draft kept by an earlier Grove has
 * `\n` and no BOM; edits on a version since converted save as the file is now); a draft of
 * a deleted file writes it as the draft has it.
 */
export function openedText({
  file,
  draft,
}: {
  file: { content: string } | undefined;
  draft: Pick<Draft, 'content'> | undefined;
}): { text: string; format: TextFormat; draftIsFile: boolean } {
  const format = detectTextFormat(file?.content ?? draft?.content ?? '');
  const fileText = file && editorText(file.content);
  const draftText = draft && editorText(draft.content);
  // Equal as text: saving it would write the file's own bytes, so it is no edit.
  const draftIsFile = draftText !== undefined && draftText === fileText;
  return { text: draftText ?? fileText ?? '', format, draftIsFile };
}

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

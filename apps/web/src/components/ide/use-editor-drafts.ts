'use client';

import { useCallback, useEffect, useRef } from 'react';

import { browserDraftStorage, clearDraft, writeDraft } from '@/lib/client/drafts';
import { diskText } from '@/lib/client/line-endings';

import type { OpenFile } from './use-open-file';

/** How long typing pauses before the unsaved edits are written to the browser's storage. */
const DRAFT_DELAY_MS = 300;

/**
 * The open file's unsaved edits are a draft in the browser's storage; a pending write is
 * flushed when the page hides or the editor goes, and dropped when the edits are. A draft is
 * the text a save would write (the file's line endings and BOM), so one kept for a file since
 * deleted writes it again as it was.
 */
export function useEditorDrafts(sessionId: string, open: OpenFile, dirty: boolean) {
  const { view, version, loaded, format } = open;
  const draftTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  function storeDraft() {
    clearTimeout(draftTimer.current);
    draftTimer.current = undefined;
    const file = loaded.current;
    if (!file?.dirty || !view.current || !version.current) return;
    writeDraft(browserDraftStorage(), sessionId, file.path, {
      content: diskText(view.current.state.doc.toString(), format.current),
      baseVersion: version.current,
      savedAt: Date.now(),
    });
  }
  const storeDraftRef = useRef(storeDraft);
  storeDraftRef.current = storeDraft;

  const dropDraft = useCallback(
    (draftPath: string) => {
      clearTimeout(draftTimer.current);
      draftTimer.current = undefined;
      if (loaded.current?.path === draftPath) loaded.current.dirty = false;
      clearDraft(browserDraftStorage(), sessionId, draftPath);
    },
    [sessionId, loaded],
  );
  const dropDraftRef = useRef(dropDraft);
  dropDraftRef.current = dropDraft;

  /** The open file was renamed: its unsaved edits, up to the last key, become the new path's. */
  const carryEdits = useCallback(
    (from: string, to: string) => {
      clearTimeout(draftTimer.current);
      draftTimer.current = undefined;
      const text = loaded.current?.dirty ? view.current?.state.doc.toString() : undefined;
      const edits = text === undefined ? undefined : diskText(text, format.current);
      if (edits !== undefined && version.current)
        writeDraft(browserDraftStorage(), sessionId, to, {
          content: edits,
          baseVersion: version.current,
          savedAt: Date.now(),
        });
      clearDraft(browserDraftStorage(), sessionId, from);
    },
    [sessionId, loaded, view, version, format],
  );

  /**
   * The document of `draftPath` changed: back to the file on disk (`clean`) there is no draft,
   * else one is written once typing pauses.
   */
  const noteChange = useCallback(
    (draftPath: string, clean: boolean) => {
      if (clean) {
        dropDraftRef.current(draftPath);
        return;
      }
      if (loaded.current) loaded.current.dirty = true;
      clearTimeout(draftTimer.current);
      draftTimer.current = setTimeout(() => storeDraftRef.current(), DRAFT_DELAY_MS);
    },
    [loaded],
  );

  useEffect(() => {
    if (loaded.current) loaded.current.dirty = dirty;
  }, [dirty, loaded]);

  useEffect(() => {
    const flush = () => storeDraftRef.current();
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, []);

  return { dropDraft, carryEdits, noteChange };
}

'use client';

import { useEffect, useRef, useState } from 'react';

import { ApiError } from '@/lib/api/browser';
import { draftOpening, openedText } from '@/lib/client/draft-opening';
import { browserDraftStorage, clearDraft, readDraft } from '@/lib/client/drafts';
import { errorMessage } from '@/lib/client/format';
import { diskText, editorText, type TextFormat } from '@/lib/client/line-endings';

import { EditorNotices } from './editor-notices';
import { languageFor } from './editor-languages';
import { createEditorView, loadEditorModules } from './editor-setup';
import { EditorToolbar } from './editor-toolbar';
import { useDiskCheck } from './use-disk-check';
import { useEditorDrafts } from './use-editor-drafts';
import { useOpenFile } from './use-open-file';
import { useUnsavedChangesGuard } from './use-unsaved-changes-guard';
import { readWorktreeFile, writeWorktreeFile } from './worktree-file-api';

interface Props {
  sessionId: string;
  path: string | undefined;
  /** The path the open file had before it was renamed to `path`: its edits come along. */
  renamedFrom?: string | undefined;
  onSaved: () => void;
  /** Told whenever the open file gains or loses unsaved edits (the shell guards switching). */
  onDirtyChange?: (dirty: boolean) => void;
  /** Bumped when the worktree may have changed (a command, the agent): the file is read again. */
  worktreeVersion?: number;
  /** A read of the open file answered 404: the file is gone, or the whole session (the shell checks). */
  onNotFound?: () => void;
}

type LoadState =
  { kind: 'none' } | { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };

/**
 * CodeMirror 6 on one worktree file; Ctrl/Cmd-S or the button saves it through the files API.
 * A save names the version it was opened at: if the terminal or the agent changed the file
 * meanwhile, the worker refuses it (409) and the user chooses to reload or to overwrite.
 * Leaving the page with unsaved edits asks first, and whatever way the page goes (Back, a
 * reload, a crash), the edits stay in the browser as a draft that opening the file restores.
 * The file's line endings and BOM are kept: CodeMirror edits the text with `\n` only, and a
 * save writes it back in the file's convention (see line-endings.ts).
 */
export function CodeEditor({
  sessionId,
  path,
  renamedFrom,
  onSaved,
  onDirtyChange,
  worktreeVersion = 0,
  onNotFound,
}: Props) {
  const host = useRef<HTMLDivElement>(null);
  const open = useOpenFile();
  const { view, version, loaded, savedDoc, applyingDisk, format } = open;
  const saveRef = useRef<() => void>(() => undefined);
  const [state, setState] = useState<LoadState>({ kind: 'none' });
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const [conflict, setConflict] = useState(false);
  // The open file was deleted on disk (its last content stays in the editor).
  const [missing, setMissing] = useState(false);
  const notFound = useRef(onNotFound);
  notFound.current = onNotFound;
  const renamedFromRef = useRef(renamedFrom);
  renamedFromRef.current = renamedFrom;
  // Bumped by "Reload from disk": loads the file again, dropping the edits.
  const [reloads, setReloads] = useState(0);
  const [restored, setRestored] = useState(false);
  // The open file's line endings and BOM, shown in the header (`format` is what saves use).
  const [shownFormat, setShownFormat] = useState<TextFormat | undefined>();

  const { dropDraft, carryEdits, noteChange } = useEditorDrafts(sessionId, open, dirty);

  /** Back to the file as it is on disk: its draft goes too. */
  function reloadFromDisk() {
    if (path) dropDraft(path);
    setReloads((n) => n + 1);
  }

  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  useUnsavedChangesGuard(dirty, path, dropDraft);

  async function save(overwrite = false) {
    if (!path || !view.current || saving || !(dirty || overwrite)) return;
    // CodeMirror documents are immutable: the one sent is the one saved, whatever is typed meanwhile.
    const doc = view.current.state.doc;
    const content = diskText(doc.toString(), format.current);
    setSaving(true);
    setNotice(undefined);
    try {
      const baseVersion = overwrite ? undefined : version.current;
      const result = await writeWorktreeFile(sessionId, {
        path,
        content,
        baseVersion,
      });
      version.current = result.version;
      savedDoc.current = doc;
      // Written in one convention now: a mixed file is mixed no more.
      if (format.current.mixed) {
        format.current = { ...format.current, mixed: false };
        setShownFormat(format.current);
      }
      // Edits typed while it was saving are still unsaved (and their draft stays).
      const stillDirty = view.current?.state.doc !== doc;
      setDirty(stillDirty);
      if (!stillDirty) dropDraft(path);
      setConflict(false);
      setMissing(false);
      setRestored(false);
      setNotice(`Saved ${result.size} bytes`);
      onSaved();
    } catch (e) {
      setConflict(e instanceof ApiError && e.code === 'conflict');
      setNotice(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }
  saveRef.current = () => void save();

  useEffect(() => {
    if (!path || !host.current) return;
    // Another file replaces one with unsaved edits only once the user agreed to discard them;
    // a renamed file keeps them, as a draft of its new path (restored below).
    const previous = loaded.current;
    const renamed =
      previous && previous.path !== path && renamedFromRef.current === previous.path
        ? previous.path
        : undefined;
    if (renamed) carryEdits(renamed, path);
    else if (previous && previous.path !== path && previous.dirty) dropDraft(previous.path);
    loaded.current = undefined;
    let cancelled = false;
    setState({ kind: 'loading' });
    setDirty(false);
    setConflict(false);
    setMissing(false);
    setRestored(false);
    setNotice(undefined);
    (async () => {
      const [modules, file] = await Promise.all([
        loadEditorModules(),
        readWorktreeFile(sessionId, path).catch((e: unknown) => {
          if (!(e instanceof ApiError && e.status === 404)) throw e;
          notFound.current?.();
          // Gone from disk, but edits of it are kept here: they open, the choice is the user's.
          if (readDraft(browserDraftStorage(), sessionId, path)) return undefined;
          throw new Error(`${path} is not on disk (it may have been deleted).`);
        }),
      ]);
      const language = await languageFor(path);
      if (cancelled || !host.current) return;
      const storage = browserDraftStorage();
      let draft = readDraft(storage, sessionId, path);
      const opened = openedText({ file, draft });
      if (opened.draftIsFile) {
        clearDraft(storage, sessionId, path);
        draft = undefined;
      }
      format.current = opened.format;
      setShownFormat(opened.format);
      // Restored edits made on another version are a conflict: a plain save is refused.
      version.current = draft?.baseVersion ?? file?.version;
      loaded.current = { path, dirty: draft !== undefined };
      view.current?.destroy();
      view.current = createEditorView(modules, {
        parent: host.current,
        doc: opened.text,
        path,
        language,
        onSave: () => saveRef.current(),
        onDocChange: (doc) => {
          if (applyingDisk.current) return;
          // Typing and undoing back to the file on disk leaves nothing unsaved (nor a draft).
          const clean = savedDoc.current !== undefined && doc.eq(savedDoc.current);
          setDirty(!clean);
          noteChange(path, clean);
        },
      });
      savedDoc.current = file ? view.current.state.toText(editorText(file.content)) : undefined;
      setMissing(!file);
      const opening = draftOpening({ path, draft, file, renamed });
      if (opening.kind === 'carried' || opening.kind === 'restored') setDirty(true);
      if (opening.kind === 'restored') {
        setRestored(!opening.stale);
        setConflict(opening.stale);
      }
      if (opening.kind !== 'plain') setNotice(opening.notice);
      setState({ kind: 'ready' });
    })().catch((e: unknown) => {
      if (!cancelled) setState({ kind: 'error', message: errorMessage(e) });
    });
    return () => {
      cancelled = true;
    };
  }, [
    sessionId,
    path,
    reloads,
    dropDraft,
    carryEdits,
    noteChange,
    loaded,
    version,
    view,
    savedDoc,
    applyingDisk,
    format,
  ]);

  // A file that could not be opened (the worker down, say) is tried again when the worktree may
  // have changed: the IDE says so when the worker is back.
  const failedPath = state.kind === 'error' ? path : undefined;
  const retried = useRef(worktreeVersion);
  useEffect(() => {
    if (retried.current === worktreeVersion) return;
    retried.current = worktreeVersion;
    if (failedPath) setReloads((n) => n + 1);
  }, [worktreeVersion, failedPath]);

  useDiskCheck({
    sessionId,
    readyPath: state.kind === 'ready' ? path : undefined,
    worktreeVersion,
    missing,
    open,
    notFound,
    setMissing,
    setConflict,
    setNotice,
    setFormat: setShownFormat,
  });

  useEffect(() => () => view.current?.destroy(), [view]);

  return (
    <div className="editor">
      <EditorToolbar
        path={path}
        dirty={dirty}
        saving={saving}
        format={state.kind === 'ready' ? shownFormat : undefined}
        canSave={!!path && !saving && dirty && state.kind === 'ready'}
        onSave={() => void save()}
      />
      <EditorNotices
        notice={notice}
        conflict={conflict}
        missing={missing}
        ready={state.kind === 'ready'}
        restored={restored}
        dirty={dirty}
        onOverwrite={() => void save(true)}
        onReload={reloadFromDisk}
      />
      {state.kind === 'none' && <p className="muted pad">Open a file from the tree.</p>}
      {state.kind === 'loading' && <p className="muted pad">Loading…</p>}
      {state.kind === 'error' && (
        <p className="error pad" role="alert">
          {state.message}
        </p>
      )}
      <div
        ref={host}
        className="editor-host"
        hidden={state.kind !== 'ready'}
        data-testid="code-editor"
      />
    </div>
  );
}

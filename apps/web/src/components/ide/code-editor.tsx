'use client';

import type { Text } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { useCallback, useEffect, useRef, useState } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';
import { diskReaction } from '@/lib/client/disk-check';
import { browserDraftStorage, clearDraft, readDraft, writeDraft } from '@/lib/client/drafts';
import { errorMessage, formatAge } from '@/lib/client/format';

import { languageFor } from './editor-languages';

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

/** How long typing pauses before the unsaved edits are written to the browser's storage. */
const DRAFT_DELAY_MS = 300;
/** How often the open file is read again while the page is in view. */
const DISK_CHECK_MS = 5_000;

/**
 * CodeMirror 6 on one worktree file; Ctrl/Cmd-S or the button saves it through the files API.
 * A save names the version it was opened at: if the terminal or the agent changed the file
 * meanwhile, the worker refuses it (409) and the user chooses to reload or to overwrite.
 * Leaving the page with unsaved edits asks first, and whatever way the page goes (Back, a
 * reload, a crash), the edits stay in the browser as a draft that opening the file restores.
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
  const view = useRef<EditorView | undefined>(undefined);
  const version = useRef<string | undefined>(undefined);
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
  // The open file's unsaved edits are a draft in the browser's storage; a pending write is
  // flushed when the page hides or the editor goes, and dropped when the edits are.
  const draftTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const loaded = useRef<{ path: string; dirty: boolean } | undefined>(undefined);
  const [restored, setRestored] = useState(false);
  // Set while the editor itself replaces the document with the file on disk (not an edit).
  const applyingDisk = useRef(false);
  // The file as last read from or saved to disk: edits undone back to it are no edits.
  const savedDoc = useRef<Text | undefined>(undefined);
  const dropDraftRef = useRef<(draftPath: string) => void>(() => undefined);

  function storeDraft() {
    clearTimeout(draftTimer.current);
    draftTimer.current = undefined;
    const open = loaded.current;
    if (!open?.dirty || !view.current || !version.current) return;
    writeDraft(browserDraftStorage(), sessionId, open.path, {
      content: view.current.state.doc.toString(),
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
    [sessionId],
  );

  dropDraftRef.current = dropDraft;

  /** The open file was renamed: its unsaved edits, up to the last key, become the new path's. */
  function carryEdits(from: string, to: string) {
    clearTimeout(draftTimer.current);
    draftTimer.current = undefined;
    const edits = loaded.current?.dirty ? view.current?.state.doc.toString() : undefined;
    if (edits !== undefined && version.current)
      writeDraft(browserDraftStorage(), sessionId, to, {
        content: edits,
        baseVersion: version.current,
        savedAt: Date.now(),
      });
    clearDraft(browserDraftStorage(), sessionId, from);
  }
  const carryEditsRef = useRef(carryEdits);
  carryEditsRef.current = carryEdits;

  /** Back to the file as it is on disk: its draft goes too. */
  function reloadFromDisk() {
    if (path) dropDraft(path);
    setReloads((n) => n + 1);
  }

  useEffect(() => {
    if (loaded.current) loaded.current.dirty = dirty;
  }, [dirty]);

  useEffect(() => {
    const flush = () => storeDraftRef.current();
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, []);

  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  useEffect(() => {
    if (!dirty || !path) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    // In-app links navigate without unloading the page: ask before one of them is followed
    // (capture, so the question comes before the router's own click handler).
    const askOnLink = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!(link instanceof HTMLAnchorElement) || link.target === '_blank') return;
      if (window.confirm(`${path} has unsaved changes. Leave and discard them?`)) {
        dropDraft(path);
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', askOnLink, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', askOnLink, true);
    };
  }, [dirty, path, dropDraft]);

  async function save(overwrite = false) {
    if (!path || !view.current || saving || !(dirty || overwrite)) return;
    // CodeMirror documents are immutable: the one sent is the one saved, whatever is typed meanwhile.
    const doc = view.current.state.doc;
    setSaving(true);
    setNotice(undefined);
    try {
      const baseVersion = overwrite ? undefined : version.current;
      const result = await apiFetch<{ path: string; size: number; version: string }>(
        `/api/workspace/session/${sessionId}/file`,
        {
          method: 'PUT',
          json: { path, content: doc.toString(), ...(baseVersion && { baseVersion }) },
        },
      );
      version.current = result.version;
      savedDoc.current = doc;
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
    if (renamed) carryEditsRef.current(renamed, path);
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
      // Loaded on demand: CodeMirror needs the DOM and is not needed before a file is opened.
      const [cm, { oneDark }, { keymap }, { indentWithTab }, file] = await Promise.all([
        import('codemirror'),
        import('@codemirror/theme-one-dark'),
        import('@codemirror/view'),
        import('@codemirror/commands'),
        apiFetch<{ content: string; version: string }>(
          `/api/workspace/session/${sessionId}/file?path=${encodeURIComponent(path)}`,
          { cache: 'no-store' },
        ).catch((e: unknown) => {
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
      if (file && draft?.content === file.content) {
        clearDraft(storage, sessionId, path);
        draft = undefined;
      }
      // Restored edits made on another version are a conflict: a plain save is refused.
      version.current = draft?.baseVersion ?? file?.version;
      loaded.current = { path, dirty: draft !== undefined };
      view.current?.destroy();
      view.current = new cm.EditorView({
        parent: host.current,
        doc: draft?.content ?? file?.content ?? '',
        extensions: [
          keymap.of([
            { key: 'Mod-s', preventDefault: true, run: () => (saveRef.current(), true) },
            // Tab indents; Escape then Tab leaves the editor (CodeMirror's way out).
            indentWithTab,
          ]),
          cm.basicSetup,
          oneDark,
          ...(language ? [language] : []),
          cm.EditorView.updateListener.of((update) => {
            if (!update.docChanged || applyingDisk.current) return;
            // Typing and undoing back to the file on disk leaves nothing unsaved (nor a draft).
            const clean = savedDoc.current !== undefined && update.state.doc.eq(savedDoc.current);
            setDirty(!clean);
            if (clean) {
              dropDraftRef.current(path);
              return;
            }
            if (loaded.current) loaded.current.dirty = true;
            clearTimeout(draftTimer.current);
            draftTimer.current = setTimeout(() => storeDraftRef.current(), DRAFT_DELAY_MS);
          }),
          cm.EditorView.contentAttributes.of({
            'aria-label': `Editing ${path} (Escape then Tab leaves the editor)`,
          }),
        ],
      });
      savedDoc.current = file ? view.current.state.toText(file.content) : undefined;
      setMissing(!file);
      if (draft && renamed && draft.baseVersion === file?.version) {
        setDirty(true);
        setNotice(`Renamed from ${renamed}; your unsaved edits came along.`);
      } else if (draft) {
        const stale = draft.baseVersion !== file?.version;
        const age = formatAge(new Date(draft.savedAt).toISOString());
        setDirty(true);
        setRestored(!stale);
        setConflict(stale);
        setNotice(
          !file
            ? `Restored your unsaved edits from ${age} ago, but ${path} was deleted on disk since. Overwrite with mine writes it again.`
            : stale
              ? `Restored your unsaved edits from ${age} ago, but ${path} changed on disk since.`
              : `Restored your unsaved edits from ${age} ago.`,
        );
      } else if (renamed) {
        setNotice(`Renamed from ${renamed}.`);
      }
      setState({ kind: 'ready' });
    })().catch((e: unknown) => {
      if (!cancelled) setState({ kind: 'error', message: errorMessage(e) });
    });
    return () => {
      cancelled = true;
    };
  }, [sessionId, path, reloads, dropDraft]);

  // A file that could not be opened (the worker down, say) is tried again when the worktree may
  // have changed: the IDE says so when the worker is back.
  const failedPath = state.kind === 'error' ? path : undefined;
  const retried = useRef(worktreeVersion);
  useEffect(() => {
    if (retried.current === worktreeVersion) return;
    retried.current = worktreeVersion;
    if (failedPath) setReloads((n) => n + 1);
  }, [worktreeVersion, failedPath]);

  // The terminal or the agent may have changed the open file: read it again. Without edits
  // here the editor shows the new version; with edits, it says so now rather than at Save.
  const readyPath = state.kind === 'ready' ? path : undefined;
  // Also every few seconds while the page is in view: a long command, or anything outside
  // Grove, may change the file without the IDE hearing of it.
  const [diskTick, setDiskTick] = useState(0);
  // A deleted file is not asked for every few seconds (each a 404): a change of the worktree
  // still reads it, so a command or the agent bringing it back is seen.
  useEffect(() => {
    if (!readyPath || missing) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setDiskTick((n) => n + 1);
    }, DISK_CHECK_MS);
    return () => clearInterval(timer);
  }, [readyPath, missing]);
  const checked = useRef(`${worktreeVersion}:${diskTick}`);
  // One read at a time: a worker that stops answering must not collect a request every tick
  // (the browser opens six connections per host, and the whole page shares them).
  const diskReading = useRef(false);
  useEffect(() => {
    // Only on a change of the worktree or a tick (opening a file reads it anyway).
    const key = `${worktreeVersion}:${diskTick}`;
    if (!readyPath || key === checked.current || diskReading.current) return;
    checked.current = key;
    diskReading.current = true;
    let cancelled = false;
    const react = (read: { content: string; version: string } | 'missing') => {
      const editor = view.current;
      const open = loaded.current;
      if (cancelled || !editor || open?.path !== readyPath) return;
      const reaction = diskReaction({ dirty: open.dirty, version: version.current, missing }, read);
      if (reaction === 'unchanged') return;
      setMissing(read === 'missing');
      switch (reaction) {
        case 'back':
          setConflict(false);
          setNotice(`${readyPath} is back on disk.`);
          return;
        case 'changed-under-edits':
          setConflict(true);
          setNotice(
            `${readyPath} changed on disk since it was opened here. Reload from disk drops your edits; Overwrite with mine keeps them.`,
          );
          return;
        case 'deleted-under-edits':
          setConflict(true);
          setNotice(
            `${readyPath} was deleted on disk since it was opened here. Overwrite with mine writes it again with your edits; Reload from disk drops them.`,
          );
          return;
        case 'deleted':
          setConflict(false);
          setNotice(
            `${readyPath} was deleted on disk. The editor still shows its last content: Write it again saves it back.`,
          );
          return;
        case 'reload': {
          if (read === 'missing') return;
          const head = editor.state.selection.main.head;
          applyingDisk.current = true;
          try {
            editor.dispatch({
              changes: { from: 0, to: editor.state.doc.length, insert: read.content },
              selection: { anchor: Math.min(head, editor.state.toText(read.content).length) },
            });
          } finally {
            applyingDisk.current = false;
          }
          savedDoc.current = editor.state.doc;
          version.current = read.version;
          setConflict(false);
          setNotice(`${readyPath} changed on disk: showing the new version.`);
        }
      }
    };
    apiFetch<{ content: string; version: string }>(
      `/api/workspace/session/${sessionId}/file?path=${encodeURIComponent(readyPath)}`,
      { cache: 'no-store' },
    )
      .then(react, (e: unknown) => {
        // Unreadable for another reason (the worker down, say): the next check or save says so.
        if (cancelled || !(e instanceof ApiError && e.status === 404)) return;
        // The session itself may be what is gone: the shell finds out, and takes over if so.
        notFound.current?.();
        react('missing');
      })
      .finally(() => {
        diskReading.current = false;
      });
    return () => {
      cancelled = true;
    };
    // `missing` changes only with a read (or a save): no reason to read again, the key above
    // stays the same.
  }, [sessionId, readyPath, worktreeVersion, diskTick, missing]);

  useEffect(() => () => view.current?.destroy(), []);

  return (
    <div className="editor">
      <div className="pane-head">
        <h2 className="break">
          {path ?? 'Editor'}
          {dirty && <span aria-label="unsaved changes"> ●</span>}
        </h2>
        <button
          type="button"
          className="small-button"
          disabled={!path || saving || !dirty || state.kind !== 'ready'}
          onClick={() => void save()}
          title="Save (Ctrl/Cmd+S)"
        >
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
      {notice && (
        <p
          className={`small pad editor-notice ${conflict || missing ? 'error' : 'muted'}`}
          role={conflict || missing ? 'alert' : 'status'}
        >
          {notice}
        </p>
      )}
      {missing && !conflict && state.kind === 'ready' && (
        <p className="pad editor-conflict">
          <button type="button" className="small-button" onClick={() => void save(true)}>
            Write it again
          </button>
        </p>
      )}
      {conflict && (
        <p className="pad editor-conflict">
          <button type="button" className="secondary small-button" onClick={reloadFromDisk}>
            Reload from disk (drop my edits)
          </button>{' '}
          <button type="button" className="small-button" onClick={() => void save(true)}>
            Overwrite with mine
          </button>
        </p>
      )}
      {restored && dirty && (
        <p className="pad editor-conflict">
          <button type="button" className="secondary small-button" onClick={reloadFromDisk}>
            Discard my edits
          </button>
        </p>
      )}
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

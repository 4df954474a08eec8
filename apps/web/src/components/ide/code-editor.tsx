'use client';

import type { EditorView } from '@codemirror/view';
import { useEffect, useRef, useState } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';
import { errorMessage } from '@/lib/client/format';

import { languageFor } from './editor-languages';

interface Props {
  sessionId: string;
  path: string | undefined;
  onSaved: () => void;
  /** Told whenever the open file gains or loses unsaved edits (the shell guards switching). */
  onDirtyChange?: (dirty: boolean) => void;
}

type LoadState =
  { kind: 'none' } | { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };

/**
 * CodeMirror 6 on one worktree file; Ctrl/Cmd-S or the button saves it through the files API.
 * A save names the version it was opened at: if the terminal or the agent changed the file
 * meanwhile, the worker refuses it (409) and the user chooses to reload or to overwrite.
 * Leaving the page with unsaved edits asks first.
 */
export function CodeEditor({ sessionId, path, onSaved, onDirtyChange }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const version = useRef<string | undefined>(undefined);
  const saveRef = useRef<() => void>(() => undefined);
  const [state, setState] = useState<LoadState>({ kind: 'none' });
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const [conflict, setConflict] = useState(false);
  // Bumped by "Reload from disk": loads the file again, dropping the edits.
  const [reloads, setReloads] = useState(0);

  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  useEffect(() => {
    if (!dirty || !path) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    // In-app links navigate without unloading the page: ask before one of them is followed
    // (capture, so the question comes before the router's own click handler).
    const askOnLink = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!(link instanceof HTMLAnchorElement) || link.target === '_blank') return;
      if (window.confirm(`${path} has unsaved changes. Leave and discard them?`)) return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', askOnLink, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', askOnLink, true);
    };
  }, [dirty, path]);

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
      // Edits typed while it was saving are still unsaved.
      setDirty(view.current?.state.doc !== doc);
      setConflict(false);
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
    let cancelled = false;
    setState({ kind: 'loading' });
    setDirty(false);
    setConflict(false);
    setNotice(undefined);
    (async () => {
      // Loaded on demand: CodeMirror needs the DOM and is not needed before a file is opened.
      const [cm, { oneDark }, { keymap }, file] = await Promise.all([
        import('codemirror'),
        import('@codemirror/theme-one-dark'),
        import('@codemirror/view'),
        apiFetch<{ content: string; version: string }>(
          `/api/workspace/session/${sessionId}/file?path=${encodeURIComponent(path)}`,
          { cache: 'no-store' },
        ),
      ]);
      const language = await languageFor(path);
      if (cancelled || !host.current) return;
      version.current = file.version;
      view.current?.destroy();
      view.current = new cm.EditorView({
        parent: host.current,
        doc: file.content,
        extensions: [
          keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (saveRef.current(), true) }]),
          cm.basicSetup,
          oneDark,
          ...(language ? [language] : []),
          cm.EditorView.updateListener.of((update) => {
            if (update.docChanged) setDirty(true);
          }),
          cm.EditorView.contentAttributes.of({ 'aria-label': `Editing ${path}` }),
        ],
      });
      setState({ kind: 'ready' });
    })().catch((e: unknown) => {
      if (!cancelled) setState({ kind: 'error', message: errorMessage(e) });
    });
    return () => {
      cancelled = true;
    };
  }, [sessionId, path, reloads]);

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
          className={`small pad editor-notice ${conflict ? 'error' : 'muted'}`}
          role={conflict ? 'alert' : 'status'}
        >
          {notice}
        </p>
      )}
      {conflict && (
        <p className="pad editor-conflict">
          <button type="button" className="small-button" onClick={() => setReloads((n) => n + 1)}>
            Reload from disk (drop my edits)
          </button>{' '}
          <button type="button" className="small-button" onClick={() => void save(true)}>
            Overwrite with mine
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

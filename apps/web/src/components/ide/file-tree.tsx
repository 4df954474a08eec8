'use client';

import type { FileEntry } from '@grove/contract';
import { useCallback, useEffect, useState } from 'react';

import { apiFetch } from '@/lib/api/browser';
import { browserDraftStorage, DRAFTS_CHANGED_EVENT, draftedPaths } from '@/lib/client/drafts';
import { errorMessage } from '@/lib/client/format';

/** How often open folders are listed again while the page is in view. */
const TREE_POLL_MS = 10_000;

interface Props {
  sessionId: string;
  /** Changes when the worktree may have changed: open folders are listed again. */
  version: number;
  selected: string | undefined;
  onOpen: (path: string) => void;
}

/**
 * The worktree as a lazily loaded tree: a folder is listed when first opened, and every open
 * folder is listed again when `version` changes (so the agent's new files show up), every
 * TREE_POLL_MS while the page is in view, and when the window comes back.
 */
export function FileTree({ sessionId, version, selected, onOpen }: Props) {
  const [listings, setListings] = useState<Record<string, FileEntry[]>>({});
  const [open, setOpen] = useState<Set<string>>(() => new Set(['']));
  const [error, setError] = useState<string | undefined>();
  const [manual, setManual] = useState(0);
  // Files with unsaved edits kept in this browser (and the folders holding them) are marked.
  const [drafted, setDrafted] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => {
    const read = () => setDrafted(draftedPaths(browserDraftStorage(), sessionId));
    read();
    window.addEventListener(DRAFTS_CHANGED_EVENT, read);
    window.addEventListener('storage', read);
    return () => {
      window.removeEventListener(DRAFTS_CHANGED_EVENT, read);
      window.removeEventListener('storage', read);
    };
  }, [sessionId]);
  const hasDraft = (entry: FileEntry) =>
    entry.type === 'file'
      ? drafted.has(entry.path)
      : [...drafted].some((p) => p.startsWith(`${entry.path}/`));

  const load = useCallback(
    async (dir: string) => {
      const data = await apiFetch<{ entries: FileEntry[] }>(
        `/api/workspace/session/${sessionId}/files?path=${encodeURIComponent(dir)}`,
        { cache: 'no-store' },
      );
      setListings((all) => ({ ...all, [dir]: data.entries }));
    },
    [sessionId],
  );

  // Long commands and programs outside Grove change files too: look again now and then while
  // the page is in view, and when it comes back.
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const again = () => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    };
    const timer = setInterval(again, TREE_POLL_MS);
    window.addEventListener('focus', again);
    document.addEventListener('visibilitychange', again);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', again);
      document.removeEventListener('visibilitychange', again);
    };
  }, []);

  useEffect(() => {
    let cancelled = false;
    Promise.all([...open].map((dir) => load(dir)))
      .then(() => !cancelled && setError(undefined))
      .catch((e: unknown) => !cancelled && setError(errorMessage(e)));
    return () => {
      cancelled = true;
    };
    // Open folders are reloaded on version changes; opening one loads it in toggle().
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load, version, manual, tick]);

  function toggle(dir: string) {
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(dir)) next.delete(dir);
      else {
        next.add(dir);
        load(dir).catch((e: unknown) => setError(errorMessage(e)));
      }
      return next;
    });
  }

  function renderDir(dir: string, depth: number) {
    const entries = listings[dir];
    if (!entries) return <li className="muted small tree-row">Loading…</li>;
    if (entries.length === 0 && depth === 0) return <li className="muted small">Empty</li>;
    return entries.map((entry) => (
      <li key={entry.path}>
        <button
          type="button"
          className={`tree-row${entry.path === selected ? ' selected' : ''}`}
          style={{ paddingLeft: 8 + depth * 14 }}
          data-path={entry.path}
          aria-expanded={entry.type === 'dir' ? open.has(entry.path) : undefined}
          onClick={() => (entry.type === 'dir' ? toggle(entry.path) : onOpen(entry.path))}
        >
          <span aria-hidden="true" className="tree-icon">
            {entry.type === 'dir' ? (open.has(entry.path) ? '▾' : '▸') : '·'}
          </span>
          {entry.name}
          {hasDraft(entry) && (
            <span className="tree-draft" title="Unsaved edits in this browser">
              {' '}
              ●<span className="visually-hidden"> (unsaved edits)</span>
            </span>
          )}
        </button>
        {entry.type === 'dir' && open.has(entry.path) && (
          <ul>{renderDir(entry.path, depth + 1)}</ul>
        )}
      </li>
    ));
  }

  return (
    <div className="file-tree">
      <div className="pane-head">
        <h2>Files</h2>
        <button
          type="button"
          className="secondary small-button"
          onClick={() => setManual((m) => m + 1)}
        >
          Refresh
        </button>
      </div>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      <ul className="tree" aria-label="Worktree files">
        {renderDir('', 0)}
      </ul>
    </div>
  );
}

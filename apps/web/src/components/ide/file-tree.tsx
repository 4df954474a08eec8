'use client';

import type { FileEntry } from '@grove/contract';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';

import { apiFetch } from '@/lib/api/browser';
import {
  browserDraftStorage,
  clearDraft,
  DRAFTS_CHANGED_EVENT,
  draftedPaths,
} from '@/lib/client/drafts';
import {
  ancestorsOf,
  childPath,
  cutNotice,
  isWithin,
  movedPath,
  nameProblem,
  rowAfterRemoval,
  targetFolder,
  treeKeyAction,
  visibleRows,
  type TreeAction,
  type TreeRow,
} from '@/lib/client/file-tree-model';
import { errorMessage } from '@/lib/client/format';

import { FileNameInput } from './file-name-input';
import { useTreeListings } from './use-tree-listings';

interface Props {
  sessionId: string;
  /** Changes when the worktree may have changed: open folders are listed again. */
  version: number;
  /** The file open in the editor. */
  selected: string | undefined;
  onOpen: (path: string) => void;
  /** A file or folder was renamed or moved here: the editor follows it. */
  onMoved: (from: string, to: string) => void;
  /** Something was created, moved or deleted here: the rest of the IDE looks again. */
  onChanged: () => void;
}

type Editing =
  { kind: 'new-file' | 'new-folder'; dir: string } | { kind: 'rename'; path: string; name: string };

/**
 * The worktree as a lazily loaded tree (useTreeListings), following the WAI-ARIA treeview
 * pattern: one Tab stop (the active row; roving tabindex), arrows, Home/End and type-ahead move
 * (file-tree-model.ts), Enter opens, F2 renames, Delete deletes after asking. New file and New
 * folder make an entry in the active folder (or beside the active file) through a name field
 * in the tree. A folder the worker listed only in part (more than MAX_DIR_ENTRIES entries) says
 * so under it, and its row is described by that note.
 */
export function FileTree({ sessionId, version, selected, onOpen, onMoved, onChanged }: Props) {
  const { listings, cuts, open, setOpen, error, refresh, expand, collapse, forget } =
    useTreeListings(sessionId, version);
  // The note under a folder listed in part, by folder ('' for the worktree's root).
  const idBase = useId();
  const cutId = (dir: string) => `${idBase}cut-${encodeURIComponent(dir)}`;
  // The row with the focus (or that gets it on Tab), also the one actions apply to.
  const [active, setActive] = useState<string | undefined>(selected);
  const [editing, setEditing] = useState<Editing | undefined>();
  const tree = useRef<HTMLUListElement>(null);
  // A row to move the focus to once it is on screen (after a listing, say).
  const [focusWanted, setFocusWanted] = useState<string | undefined>();
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
  const hasDraft = (path: string, type: FileEntry['type']) =>
    type === 'file' ? drafted.has(path) : [...drafted].some((p) => p.startsWith(`${path}/`));

  // The file opened in the editor (from the address, or after a rename) is the active row.
  useEffect(() => {
    if (selected) setActive(selected);
  }, [selected]);

  const rows = useMemo(() => visibleRows(listings, open), [listings, open]);
  // The one row in the Tab order: the active one, else the nearest shown folder holding it.
  const tabStop = useMemo(() => {
    if (!active) return rows[0]?.path;
    const shown = new Set(rows.map((row) => row.path));
    return [active, ...ancestorsOf(active).reverse()].find((p) => shown.has(p)) ?? rows[0]?.path;
  }, [rows, active]);

  useEffect(() => {
    if (focusWanted === undefined) return;
    const row = tree.current?.querySelector<HTMLElement>(
      `[role="treeitem"][data-path="${CSS.escape(focusWanted)}"]`,
    );
    if (!row) return; // not listed yet: tried again when the rows change
    row.focus();
    row.scrollIntoView({ block: 'nearest' });
    setFocusWanted(undefined);
  }, [focusWanted, rows]);

  const moveFocus = (path: string) => {
    setActive(path);
    setFocusWanted(path);
  };

  const [notice, setNotice] = useState<string | undefined>();

  function startCreate(kind: 'new-file' | 'new-folder') {
    const dir = targetFolder(rows, active);
    if (dir && !open.has(dir)) expand(dir);
    setNotice(undefined);
    setEditing({ kind, dir });
  }

  function startRename(path: string) {
    const row = rows.find((r) => r.path === path);
    if (!row) return;
    setNotice(undefined);
    setEditing({ kind: 'rename', path, name: row.name });
  }

  /** Closes the name field; the focus goes back to the tree unless it went elsewhere. */
  function stopEditing(focus: string | undefined) {
    setEditing(undefined);
    if (focus && tree.current?.contains(document.activeElement)) moveFocus(focus);
  }

  const base = `/api/workspace/session/${sessionId}`;

  async function create(kind: 'new-file' | 'new-folder', dir: string, name: string) {
    const problem = nameProblem(name);
    if (problem) throw new Error(problem);
    const path = childPath(dir, name);
    if (kind === 'new-file') {
      await apiFetch(`${base}/file`, {
        method: 'PUT',
        json: { path, content: '', createOnly: true },
      });
    } else {
      const made = await apiFetch<{ created: boolean }>(`${base}/folder`, {
        method: 'POST',
        json: { path },
      });
      if (!made.created) throw new Error(`${path} already exists`);
    }
    // A name with a / made folders on the way: they are opened to show the new entry.
    setOpen((current) => new Set([...current, ...ancestorsOf(path)]));
    setEditing(undefined);
    moveFocus(path);
    refresh();
    onChanged();
    if (kind === 'new-file') onOpen(path);
  }

  async function rename(path: string, name: string) {
    const problem = nameProblem(name);
    if (problem) throw new Error(problem);
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const to = childPath(parent, name);
    if (to === path) {
      stopEditing(path);
      return;
    }
    await apiFetch(`${base}/file/move`, { method: 'POST', json: { from: path, to } });
    // Open folders inside a renamed one stay open where they are now.
    setOpen(
      (current) =>
        new Set([...[...current].map((dir) => movedPath(dir, path, to)), ...ancestorsOf(to)]),
    );
    setEditing(undefined);
    moveFocus(to);
    refresh();
    onMoved(path, to);
  }

  /** Opens a file in the editor; a link out of the worktree cannot be, and says so. */
  function openFile(path: string) {
    if (rows.find((r) => r.path === path)?.link) {
      setNotice(`${path} is a link out of the worktree: it can be renamed or deleted, not opened`);
      return;
    }
    onOpen(path);
  }

  async function remove(path: string) {
    const row = rows.find((r) => r.path === path);
    if (!row) return;
    const unsaved = [...drafted].some((p) => isWithin(p, path));
    const question =
      (row.link
        ? `Delete the link ${path}? What it points to is not touched.`
        : `Delete ${row.type === 'dir' ? `the folder ${path} and everything in it` : path}?`) +
      (unsaved ? ' It has unsaved edits in this browser.' : '');
    if (!window.confirm(question)) return;
    setNotice(undefined);
    try {
      await apiFetch(`${base}/file?path=${encodeURIComponent(path)}`, { method: 'DELETE' });
    } catch (e) {
      setNotice(errorMessage(e));
      return;
    }
    // Edits kept for files that are gone now would come back on a new file of the same name;
    // the open file's stay with the editor, which offers to write them again.
    const storage = browserDraftStorage();
    for (const p of drafted)
      if (isWithin(p, path) && p !== selected) clearDraft(storage, sessionId, p);
    const next = rowAfterRemoval(rows, path);
    forget(path);
    if (next) moveFocus(next);
    else setActive(undefined);
    refresh();
    onChanged();
  }

  function perform(action: TreeAction) {
    switch (action.kind) {
      case 'focus':
        return moveFocus(action.path);
      case 'expand':
        return expand(action.path);
      case 'collapse':
        return collapse(action.path);
      case 'open':
        return openFile(action.path);
      case 'rename':
        return startRename(action.path);
      case 'delete':
        return void remove(action.path);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!(event.target instanceof HTMLElement) || event.target.getAttribute('role') !== 'treeitem')
      return;
    const action = treeKeyAction(rows, event.target.dataset.path, event.key);
    if (!action) return;
    event.preventDefault();
    perform(action);
  }

  function nameField(edit: Editing) {
    const isRename = edit.kind === 'rename';
    const where = isRename ? '' : edit.dir ? ` in ${edit.dir}` : ' at the top';
    return (
      <FileNameInput
        key={isRename ? `rename:${edit.path}` : `${edit.kind}:${edit.dir}`}
        initial={isRename ? edit.name : ''}
        label={
          isRename
            ? `Rename ${edit.path}`
            : `${edit.kind === 'new-file' ? 'New file' : 'New folder'} name${where}`
        }
        onCommit={(name) =>
          isRename ? rename(edit.path, name) : create(edit.kind, edit.dir, name)
        }
        onCancel={() => stopEditing(isRename ? edit.path : active)}
      />
    );
  }

  function renderRow(row: TreeRow) {
    const renaming = editing?.kind === 'rename' && editing.path === row.path;
    return (
      <li
        key={row.path}
        role="treeitem"
        className={`tree-row${row.path === active ? ' selected' : ''}${
          row.path === selected ? ' open-file' : ''
        }`}
        style={{ paddingLeft: 8 + (row.level - 1) * 14 }}
        data-path={row.path}
        aria-level={row.level}
        aria-posinset={row.position}
        aria-setsize={row.siblings}
        aria-expanded={row.type === 'dir' ? row.expanded : undefined}
        aria-describedby={row.expanded && cuts[row.path] ? cutId(row.path) : undefined}
        aria-selected={row.path === active}
        tabIndex={row.path === tabStop && !editing ? 0 : -1}
        onFocus={() => setActive(row.path)}
        onClick={(event) => {
          if (renaming) return;
          event.currentTarget.focus();
          setActive(row.path);
          if (row.type === 'dir') (row.expanded ? collapse : expand)(row.path);
          else openFile(row.path);
        }}
      >
        <span aria-hidden="true" className="tree-icon">
          {row.type === 'dir' ? (row.expanded ? '▾' : '▸') : '·'}
        </span>
        {renaming ? (
          nameField(editing)
        ) : (
          <>
            {row.name}
            {row.link && (
              <span
                className="tree-link"
                title="A link out of the worktree: it can be renamed or deleted, not opened"
              >
                {' '}
                ↗<span className="visually-hidden"> (link out of the worktree)</span>
              </span>
            )}
            {hasDraft(row.path, row.type) && (
              <span className="tree-draft" title="Unsaved edits in this browser">
                {' '}
                ●<span className="visually-hidden"> (unsaved edits)</span>
              </span>
            )}
          </>
        )}
      </li>
    );
  }

  /**
   * The rows, with a "Loading…" under a folder not listed yet, a note under one listed in part,
   * and the new-entry field.
   */
  function renderRows() {
    const out = [];
    const newEntry = (dir: string, level: number) =>
      editing && editing.kind !== 'rename' && editing.dir === dir ? (
        <li
          key="new-entry"
          role="treeitem"
          aria-level={level}
          aria-selected={false}
          className="tree-row"
          style={{ paddingLeft: 8 + (level - 1) * 14 }}
        >
          <span aria-hidden="true" className="tree-icon">
            {editing.kind === 'new-folder' ? '▸' : '·'}
          </span>
          {nameField(editing)}
        </li>
      ) : null;
    out.push(newEntry('', 1));
    for (const row of rows) {
      out.push(renderRow(row));
      if (!row.expanded) continue;
      out.push(newEntry(row.path, row.level + 1));
      const cut = cuts[row.path];
      if (!listings[row.path])
        out.push(
          <li key={`${row.path}:loading`} role="none" className="muted small tree-row">
            Loading…
          </li>,
        );
      else if (cut)
        out.push(
          <li
            key={`${row.path}:cut`}
            id={cutId(row.path)}
            role="none"
            className="small tree-row tree-cut"
            style={{ paddingLeft: 8 + row.level * 14 + 14 }}
          >
            {cutNotice(cut)}
          </li>,
        );
    }
    return out;
  }

  const activeRow = rows.find((row) => row.path === active);
  const rootCut = listings[''] && cuts[''];
  return (
    <div className="file-tree">
      <div className="pane-head">
        <h2>Files</h2>
        <button type="button" className="secondary small-button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <div className="tree-actions" role="toolbar" aria-label="File actions">
        <button
          type="button"
          className="secondary small-button"
          onClick={() => startCreate('new-file')}
        >
          New file
        </button>
        <button
          type="button"
          className="secondary small-button"
          onClick={() => startCreate('new-folder')}
        >
          New folder
        </button>
        <button
          type="button"
          className="secondary small-button"
          disabled={!activeRow}
          title="Rename (F2)"
          onClick={() => activeRow && startRename(activeRow.path)}
        >
          Rename
        </button>
        <button
          type="button"
          className="secondary small-button"
          disabled={!activeRow}
          title="Delete (Delete key)"
          onClick={() => activeRow && void remove(activeRow.path)}
        >
          Delete
        </button>
      </div>
      {(error ?? notice) && (
        <p className="error small tree-error" role="alert">
          {error ?? notice}
        </p>
      )}
      {!listings[''] ? (
        <p className="muted small tree-row">Loading…</p>
      ) : rows.length === 0 && !editing ? (
        <p className="muted small tree-row">Empty</p>
      ) : null}
      {rootCut && (
        <p id={cutId('')} className="small tree-row tree-cut">
          {cutNotice(rootCut)}
        </p>
      )}
      <ul
        ref={tree}
        className="tree"
        role="tree"
        aria-label="Worktree files"
        aria-describedby={rootCut ? cutId('') : undefined}
        onKeyDown={onKeyDown}
      >
        {renderRows()}
      </ul>
    </div>
  );
}

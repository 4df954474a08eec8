import type { FileEntry, ListFilesResponse } from '@grove/contract';

/**
 * The file tree as the keyboard sees it: the rows on screen, in order, and what a key does from
 * one of them (the WAI-ARIA treeview pattern). No React here, so it is tested on its own.
 */

export interface TreeRow {
  path: string;
  name: string;
  type: 'file' | 'dir';
  /** A link the worker does not follow (it leads out of the worktree): rename and delete only. */
  link?: 'outside';
  /** 1 for the worktree's own entries (aria-level). */
  level: number;
  /** The folder it is in: '' for the worktree's root. */
  parent: string;
  expanded: boolean;
  /** Its place among its siblings, from 1, and how many there are (aria-posinset, aria-setsize). */
  position: number;
  siblings: number;
}

/** The rows on screen: every listed entry whose folders are all open, depth first. */
export function visibleRows(
  listings: Readonly<Record<string, readonly FileEntry[]>>,
  open: ReadonlySet<string>,
): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (dir: string, level: number) => {
    const entries = listings[dir] ?? [];
    entries.forEach((entry, index) => {
      const expanded = entry.type === 'dir' && open.has(entry.path);
      rows.push({
        path: entry.path,
        name: entry.name,
        type: entry.type,
        ...(entry.link ? { link: entry.link } : {}),
        level,
        parent: dir,
        expanded,
        position: index + 1,
        siblings: entries.length,
      });
      if (expanded) walk(entry.path, level + 1);
    });
  };
  walk('', 1);
  return rows;
}

/** A folder's listing the worker cut at its limit: how many entries are shown, of how many. */
export interface ListingCut {
  shown: number;
  total: number;
}

/** The cut of a listing, or undefined when it holds every entry of its folder. */
export function listingCut(listing: ListFilesResponse): ListingCut | undefined {
  return listing.truncated ? { shown: listing.entries.length, total: listing.total } : undefined;
}

/** What the tree says under a folder whose listing was cut, and where the rest can be seen. */
export function cutNotice(cut: ListingCut): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return `${count(cut.shown)} of ${count(cut.total)} entries shown — use the terminal to see the rest`;
}

export type TreeAction =
  | { kind: 'focus'; path: string }
  | { kind: 'expand'; path: string }
  | { kind: 'collapse'; path: string }
  | { kind: 'open'; path: string }
  | { kind: 'rename'; path: string }
  | { kind: 'delete'; path: string };

/**
 * What `key` does on the row `active` (a KeyboardEvent's `key`): Up/Down move, Right opens a
 * closed folder or moves into an open one, Left closes an open folder or moves to the parent,
 * Home/End go to the ends, Enter opens a file or opens/closes a folder, F2 renames, Delete
 * deletes (the caller asks first), and a printable character moves to the next row whose name
 * starts with it. Undefined: the key is not the tree's (the browser keeps its default).
 */
export function treeKeyAction(
  rows: readonly TreeRow[],
  active: string | undefined,
  key: string,
): TreeAction | undefined {
  if (rows.length === 0) return undefined;
  const index = rows.findIndex((row) => row.path === active);
  const row = rows[index];
  const focus = (target: TreeRow | undefined): TreeAction | undefined =>
    target && { kind: 'focus', path: target.path };
  // Nothing focused yet (or it went away): any movement starts at the first row.
  if (!row)
    return ['ArrowDown', 'ArrowUp', 'Home', 'ArrowRight', 'ArrowLeft'].includes(key)
      ? focus(rows[0])
      : key === 'End'
        ? focus(rows.at(-1))
        : undefined;
  switch (key) {
    case 'ArrowDown':
      return focus(rows[index + 1]) ?? { kind: 'focus', path: row.path };
    case 'ArrowUp':
      return focus(rows[index - 1]) ?? { kind: 'focus', path: row.path };
    case 'Home':
      return focus(rows[0]);
    case 'End':
      return focus(rows.at(-1));
    case 'ArrowRight':
      if (row.type !== 'dir') return { kind: 'focus', path: row.path };
      if (!row.expanded) return { kind: 'expand', path: row.path };
      // An open folder's first child is the next row, if the folder has any.
      return rows[index + 1]?.parent === row.path
        ? focus(rows[index + 1])
        : { kind: 'focus', path: row.path };
    case 'ArrowLeft':
      if (row.type === 'dir' && row.expanded) return { kind: 'collapse', path: row.path };
      return row.parent ? { kind: 'focus', path: row.parent } : { kind: 'focus', path: row.path };
    case 'Enter':
      if (row.type === 'file') return { kind: 'open', path: row.path };
      return { kind: row.expanded ? 'collapse' : 'expand', path: row.path };
    case 'F2':
      return { kind: 'rename', path: row.path };
    case 'Delete':
      return { kind: 'delete', path: row.path };
    default:
      return typeAhead(rows, index, key);
  }
}

/** The next row after `index` (wrapping) whose name starts with the character typed. */
function typeAhead(rows: readonly TreeRow[], index: number, key: string): TreeAction | undefined {
  if ([...key].length !== 1 || key === ' ') return undefined;
  const char = key.toLocaleLowerCase();
  for (let step = 1; step <= rows.length; step++) {
    const row = rows[(index + step) % rows.length]!;
    if (row.name.toLocaleLowerCase().startsWith(char)) return { kind: 'focus', path: row.path };
  }
  return undefined;
}

/** The folder "New file" and "New folder" make things in: the active folder, or the active file's. */
export function targetFolder(rows: readonly TreeRow[], active: string | undefined): string {
  const row = rows.find((r) => r.path === active);
  if (!row) return '';
  return row.type === 'dir' ? row.path : row.parent;
}

/** `name` in `dir` ('' is the worktree's root). */
export function childPath(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/** Where `path` is after `from` moved to `to`: itself, or under `to` when it was under `from`. */
export function movedPath(path: string, from: string, to: string): string {
  if (path === from) return to;
  if (path.startsWith(`${from}/`)) return `${to}${path.slice(from.length)}`;
  return path;
}

/** True for `path` itself and everything under it. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * Why a name typed for a new or renamed entry cannot be used, or undefined. Only what is clear
 * before asking the worker (which has the last word on everything else): a `/` is allowed, it
 * makes folders on the way, as in most editors.
 */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'Type a name';
  if (name.startsWith('/')) return 'The name cannot start with /';
  if (name.endsWith('/')) return 'The name cannot end with /';
  if (name.split('/').some((part) => part === '..' || part === '.' || part === ''))
    return 'The name cannot hold ., .. or an empty folder name';
  return undefined;
}

/** Where the active row goes when `gone` leaves the tree: the next row, else the one before. */
export function rowAfterRemoval(rows: readonly TreeRow[], gone: string): string | undefined {
  const index = rows.findIndex((row) => row.path === gone);
  if (index < 0) return undefined;
  const after = rows.slice(index + 1).find((row) => !isWithin(row.path, gone));
  return (after ?? rows.slice(0, index).at(-1))?.path;
}

/** The folders `path` is in, outermost first: `a/b/c` → `a`, `a/b`. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
}

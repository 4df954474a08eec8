import type { FileEntry } from '@grove/contract';
import { describe, expect, it } from 'vitest';

import {
  ancestorsOf,
  childPath,
  cutNotice,
  listingCut,
  movedPath,
  nameProblem,
  rowAfterRemoval,
  targetFolder,
  treeKeyAction,
  visibleRows,
} from './file-tree-model';

const dir = (path: string): FileEntry => ({
  name: path.split('/').at(-1)!,
  path,
  type: 'dir',
  size: 0,
});
const file = (path: string): FileEntry => ({
  name: path.split('/').at(-1)!,
  path,
  type: 'file',
  size: 1,
});

/**
 *   src/          (open)
 *     lib/        (closed)
 *     main.ts
 *   empty/        (open, nothing in it)
 *   README.md
 */
const listings = {
  '': [dir('src'), dir('empty'), file('README.md')],
  src: [dir('src/lib'), file('src/main.ts')],
  'src/lib': [file('src/lib/util.ts')],
  empty: [],
};
const rows = visibleRows(listings, new Set(['', 'src', 'empty']));
const key = (active: string | undefined, k: string) => treeKeyAction(rows, active, k);

describe('visibleRows', () => {
  it('lists open folders depth first, with level, parent and place among siblings', () => {
    expect(
      rows.map((r) => [r.path, r.level, r.parent, r.expanded, r.position, r.siblings]),
    ).toEqual([
      ['src', 1, '', true, 1, 3],
      ['src/lib', 2, 'src', false, 1, 2],
      ['src/main.ts', 2, 'src', false, 2, 2],
      ['empty', 1, '', true, 2, 3],
      ['README.md', 1, '', false, 3, 3],
    ]);
  });

  it('leaves out what is inside a closed folder, and folders not listed yet', () => {
    expect(visibleRows(listings, new Set([''])).map((r) => r.path)).toEqual([
      'src',
      'empty',
      'README.md',
    ]);
    expect(visibleRows({ '': [dir('a')] }, new Set(['', 'a'])).map((r) => r.path)).toEqual(['a']);
  });

  it('keeps the mark of a link out of the worktree (the tree offers rename and delete only)', () => {
    const out: FileEntry = { name: 'out', path: 'out', type: 'file', size: 0, link: 'outside' };
    const [link, plain] = visibleRows({ '': [out, file('README.md')] }, new Set(['']));
    expect(link).toMatchObject({ path: 'out', type: 'file', link: 'outside' });
    expect(plain).not.toHaveProperty('link');
  });
});

describe('a listing the worker cut at its limit', () => {
  it('is noted only when the answer says it was cut, with how many of how many', () => {
    const entries = [dir('a'), file('b')];
    expect(listingCut({ entries, truncated: false, total: 2 })).toBeUndefined();
    expect(listingCut({ entries, truncated: true, total: 6002 })).toEqual({
      shown: 2,
      total: 6002,
    });
  });

  it('says what is shown and where the rest is, with thousands separated', () => {
    expect(cutNotice({ shown: 5000, total: 6002 })).toBe(
      '5,000 of 6,002 entries shown — use the terminal to see the rest',
    );
    expect(cutNotice({ shown: 5000, total: 1_234_567 })).toBe(
      '5,000 of 1,234,567 entries shown — use the terminal to see the rest',
    );
  });
});

describe('treeKeyAction (WAI-ARIA treeview)', () => {
  it('moves up and down through the visible rows, and stays at the ends', () => {
    expect(key('src', 'ArrowDown')).toEqual({ kind: 'focus', path: 'src/lib' });
    expect(key('src/main.ts', 'ArrowDown')).toEqual({ kind: 'focus', path: 'empty' });
    expect(key('empty', 'ArrowUp')).toEqual({ kind: 'focus', path: 'src/main.ts' });
    expect(key('README.md', 'ArrowDown')).toEqual({ kind: 'focus', path: 'README.md' });
    expect(key('src', 'ArrowUp')).toEqual({ kind: 'focus', path: 'src' });
    expect(key('src/lib', 'Home')).toEqual({ kind: 'focus', path: 'src' });
    expect(key('src', 'End')).toEqual({ kind: 'focus', path: 'README.md' });
  });

  it('Right opens a closed folder, then moves to its first child; nothing on a file', () => {
    expect(key('src/lib', 'ArrowRight')).toEqual({ kind: 'expand', path: 'src/lib' });
    expect(key('src', 'ArrowRight')).toEqual({ kind: 'focus', path: 'src/lib' });
    // An open folder with nothing in it has no first child: the focus stays.
    expect(key('empty', 'ArrowRight')).toEqual({ kind: 'focus', path: 'empty' });
    expect(key('src/main.ts', 'ArrowRight')).toEqual({ kind: 'focus', path: 'src/main.ts' });
  });

  it('Left closes an open folder, else moves to the parent; the root level stays', () => {
    expect(key('src', 'ArrowLeft')).toEqual({ kind: 'collapse', path: 'src' });
    expect(key('src/main.ts', 'ArrowLeft')).toEqual({ kind: 'focus', path: 'src' });
    expect(key('src/lib', 'ArrowLeft')).toEqual({ kind: 'focus', path: 'src' });
    expect(key('README.md', 'ArrowLeft')).toEqual({ kind: 'focus', path: 'README.md' });
  });

  it('Enter opens a file or opens and closes a folder; F2 renames; Delete deletes', () => {
    expect(key('src/main.ts', 'Enter')).toEqual({ kind: 'open', path: 'src/main.ts' });
    expect(key('src', 'Enter')).toEqual({ kind: 'collapse', path: 'src' });
    expect(key('src/lib', 'Enter')).toEqual({ kind: 'expand', path: 'src/lib' });
    expect(key('src/lib', 'F2')).toEqual({ kind: 'rename', path: 'src/lib' });
    expect(key('README.md', 'Delete')).toEqual({ kind: 'delete', path: 'README.md' });
  });

  it('moves to the next name starting with a typed character, wrapping around', () => {
    expect(key('src', 'r')).toEqual({ kind: 'focus', path: 'README.md' });
    expect(key('README.md', 'S')).toEqual({ kind: 'focus', path: 'src' });
    expect(key('src/main.ts', 'e')).toEqual({ kind: 'focus', path: 'empty' });
    expect(key('src', 'z')).toBeUndefined();
  });

  it('leaves other keys to the browser, and starts at the first row when nothing is active', () => {
    for (const k of ['Tab', ' ', 'Shift', 'Escape', 'PageDown'])
      expect(key('src', k), k).toBeUndefined();
    expect(key(undefined, 'ArrowDown')).toEqual({ kind: 'focus', path: 'src' });
    expect(key('gone.txt', 'End')).toEqual({ kind: 'focus', path: 'README.md' });
    expect(key(undefined, 'Enter')).toBeUndefined();
    expect(treeKeyAction([], 'src', 'ArrowDown')).toBeUndefined();
  });
});

describe('file operations in the tree', () => {
  it('makes new entries in the active folder, or beside the active file', () => {
    expect(targetFolder(rows, 'src/lib')).toBe('src/lib');
    expect(targetFolder(rows, 'src/main.ts')).toBe('src');
    expect(targetFolder(rows, 'README.md')).toBe('');
    expect(targetFolder(rows, undefined)).toBe('');
    expect(childPath('', 'a.ts')).toBe('a.ts');
    expect(childPath('src', 'a.ts')).toBe('src/a.ts');
  });

  it('follows a moved file or folder to where it went, and nothing else', () => {
    expect(movedPath('src/main.ts', 'src/main.ts', 'src/app.ts')).toBe('src/app.ts');
    expect(movedPath('src/lib/util.ts', 'src', 'pkg/src')).toBe('pkg/src/lib/util.ts');
    expect(movedPath('src2/x.ts', 'src', 'pkg')).toBe('src2/x.ts');
    expect(movedPath('README.md', 'src', 'pkg')).toBe('README.md');
    expect(ancestorsOf('a/b/c.ts')).toEqual(['a', 'a/b']);
    expect(ancestorsOf('c.ts')).toEqual([]);
  });

  it('says what is wrong with a typed name before asking the worker', () => {
    expect(nameProblem('notes.md')).toBeUndefined();
    expect(nameProblem('docs/notes.md')).toBeUndefined();
    expect(nameProblem('  ')).toBe('Type a name');
    expect(nameProblem('/etc')).toBeDefined();
    expect(nameProblem('a/')).toBeDefined();
    expect(nameProblem('../x')).toBeDefined();
    expect(nameProblem('a//b')).toBeDefined();
  });

  it('moves the focus to the next row when one goes, skipping what was inside it', () => {
    expect(rowAfterRemoval(rows, 'src')).toBe('empty');
    expect(rowAfterRemoval(rows, 'src/main.ts')).toBe('empty');
    expect(rowAfterRemoval(rows, 'README.md')).toBe('empty');
    expect(rowAfterRemoval(rows, 'nowhere')).toBeUndefined();
  });
});

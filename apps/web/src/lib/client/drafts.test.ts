import { describe, expect, it } from 'vitest';

import {
  clearDraft,
  clearSessionDrafts,
  draftedPaths,
  moveDrafts,
  readDraft,
  writeDraft,
  type DraftStorage,
} from './drafts';

/** Web Storage semantics over a Map, with an optional quota (setItem throws past it). */
function memoryStorage(quota = Infinity): DraftStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    get length() {
      return items.size;
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      if (value.length > quota) throw new DOMException('quota', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key) => void items.delete(key),
  };
}

const draft = { content: 'mine\n', baseVersion: 'v1', savedAt: 1 };

describe('editor drafts', () => {
  it('keeps a draft per session and file until it is cleared', () => {
    const storage = memoryStorage();
    expect(writeDraft(storage, 's1', 'src/a.ts', draft)).toBe(true);
    expect(readDraft(storage, 's1', 'src/a.ts')).toEqual(draft);
    expect(readDraft(storage, 's1', 'src/b.ts')).toBeUndefined();
    expect(readDraft(storage, 's2', 'src/a.ts')).toBeUndefined();
    clearDraft(storage, 's1', 'src/a.ts');
    expect(readDraft(storage, 's1', 'src/a.ts')).toBeUndefined();
  });

  it('drops an entry it cannot read instead of failing', () => {
    const storage = memoryStorage();
    writeDraft(storage, 's1', 'a', draft);
    const [key] = storage.items.keys();
    storage.items.set(key!, '{"content":42');
    expect(readDraft(storage, 's1', 'a')).toBeUndefined();
    storage.items.set(key!, JSON.stringify({ content: 'x' }));
    expect(readDraft(storage, 's1', 'a')).toBeUndefined();
    expect(storage.items.size).toBe(0);
  });

  it('reports a draft the browser refused to store', () => {
    const storage = memoryStorage(10);
    expect(writeDraft(storage, 's1', 'a', draft)).toBe(false);
    expect(readDraft(storage, 's1', 'a')).toBeUndefined();
    expect(writeDraft(undefined, 's1', 'a', draft)).toBe(false);
  });

  it("removes all of a deleted session's drafts and nobody else's", () => {
    const storage = memoryStorage();
    writeDraft(storage, 's1', 'a', draft);
    writeDraft(storage, 's1', 'dir/b', draft);
    writeDraft(storage, 's10', 'a', draft);
    storage.items.set('unrelated', 'kept');
    expect(draftedPaths(storage, 's1')).toEqual(new Set(['a', 'dir/b']));
    clearSessionDrafts(storage, 's1');
    expect(readDraft(storage, 's1', 'a')).toBeUndefined();
    expect(readDraft(storage, 's1', 'dir/b')).toBeUndefined();
    expect(readDraft(storage, 's10', 'a')).toEqual(draft);
    expect(storage.items.get('unrelated')).toBe('kept');
  });

  it('moves the drafts of a renamed file or folder with it', () => {
    const storage = memoryStorage();
    writeDraft(storage, 's1', 'src/a.ts', draft);
    writeDraft(storage, 's1', 'src/deep/b.ts', { ...draft, content: 'b' });
    writeDraft(storage, 's1', 'src2/c.ts', draft);
    writeDraft(storage, 's2', 'src/a.ts', draft);
    moveDrafts(storage, 's1', 'src', 'lib/src');
    expect([...draftedPaths(storage, 's1')].sort()).toEqual([
      'lib/src/a.ts',
      'lib/src/deep/b.ts',
      'src2/c.ts',
    ]);
    expect(readDraft(storage, 's1', 'lib/src/deep/b.ts')?.content).toBe('b');
    expect(readDraft(storage, 's2', 'src/a.ts')).toEqual(draft);
    moveDrafts(storage, 's1', 'lib/src/a.ts', 'a.ts');
    expect(readDraft(storage, 's1', 'a.ts')).toEqual(draft);
    expect(readDraft(storage, 's1', 'lib/src/a.ts')).toBeUndefined();
  });
});

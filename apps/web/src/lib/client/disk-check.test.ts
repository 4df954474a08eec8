import { describe, expect, it } from 'vitest';

import { diskNotice, diskReaction } from './disk-check';

describe('diskReaction', () => {
  const clean = { dirty: false, version: 'v1', missing: false };
  const edited = { ...clean, dirty: true };

  it('says a deleted open file is deleted, over unsaved edits a choice to make', () => {
    expect(diskReaction(clean, 'missing')).toBe('deleted');
    expect(diskReaction(edited, 'missing')).toBe('deleted-under-edits');
    // Still deleted at the next read: still said (the edits may have come meanwhile).
    expect(diskReaction({ ...clean, missing: true }, 'missing')).toBe('deleted');
    expect(diskReaction({ ...edited, missing: true }, 'missing')).toBe('deleted-under-edits');
  });

  it('shows a changed file, or flags it over unsaved edits', () => {
    expect(diskReaction(clean, { version: 'v1' })).toBe('unchanged');
    expect(diskReaction(clean, { version: 'v2' })).toBe('reload');
    expect(diskReaction(edited, { version: 'v2' })).toBe('changed-under-edits');
  });

  it('ignores an answer sent before a save that ended while it was on its way', () => {
    // Read at v1, saved as v2 meanwhile: the answer (v1) is older than what the editor holds.
    const saved = { ...clean, version: 'v2', versionAtRead: 'v1' };
    expect(diskReaction(saved, { version: 'v1' })).toBe('unchanged');
    expect(diskReaction(saved, 'missing')).toBe('unchanged');
    expect(diskReaction({ ...saved, versionAtRead: 'v2' }, { version: 'v3' })).toBe('reload');
  });

  it('notices a deleted file coming back, as it was or changed', () => {
    expect(diskReaction({ ...clean, missing: true }, { version: 'v1' })).toBe('back');
    expect(diskReaction({ ...clean, missing: true }, { version: 'v2' })).toBe('reload');
    expect(diskReaction({ ...edited, missing: true }, { version: 'v2' })).toBe(
      'changed-under-edits',
    );
  });
});

describe('diskNotice', () => {
  it('asks for a choice only over unsaved edits', () => {
    expect(diskNotice('changed-under-edits', 'a.ts').conflict).toBe(true);
    expect(diskNotice('deleted-under-edits', 'a.ts').conflict).toBe(true);
    expect(diskNotice('reload', 'a.ts')).toEqual({
      conflict: false,
      notice: 'a.ts changed on disk: showing the new version.',
    });
    expect(diskNotice('deleted', 'a.ts').conflict).toBe(false);
    expect(diskNotice('back', 'a.ts')).toEqual({
      conflict: false,
      notice: 'a.ts is back on disk.',
    });
  });
});

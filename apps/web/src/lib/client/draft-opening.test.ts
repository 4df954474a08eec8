import { describe, expect, it } from 'vitest';

import { draftOpening } from './draft-opening';

describe('draftOpening', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  const draft = { content: 'edited', baseVersion: 'v1', savedAt: now - 5 * 60_000 };

  it('says nothing for a file opened without edits kept or a rename', () => {
    expect(
      draftOpening({
        path: 'a.ts',
        draft: undefined,
        file: { version: 'v1' },
        renamed: undefined,
        now,
      }),
    ).toEqual({ kind: 'plain' });
  });

  it('restores edits made on the version on disk', () => {
    expect(
      draftOpening({ path: 'a.ts', draft, file: { version: 'v1' }, renamed: undefined, now }),
    ).toEqual({
      kind: 'restored',
      stale: false,
      notice: 'Restored your unsaved edits from 5m ago.',
    });
  });

  it('restores edits of a file changed or deleted on disk since, as a conflict', () => {
    expect(
      draftOpening({ path: 'a.ts', draft, file: { version: 'v2' }, renamed: undefined, now }),
    ).toEqual({
      kind: 'restored',
      stale: true,
      notice: 'Restored your unsaved edits from 5m ago, but a.ts changed on disk since.',
    });
    expect(
      draftOpening({ path: 'a.ts', draft, file: undefined, renamed: undefined, now }),
    ).toMatchObject({
      kind: 'restored',
      stale: true,
      notice: expect.stringContaining('a.ts was deleted on disk since') as unknown,
    });
  });

  it('says a rename brought the edits along, or just that it was renamed', () => {
    expect(
      draftOpening({ path: 'b.ts', draft, file: { version: 'v1' }, renamed: 'a.ts', now }),
    ).toEqual({
      kind: 'carried',
      notice: 'Renamed from a.ts; your unsaved edits came along.',
    });
    expect(
      draftOpening({
        path: 'b.ts',
        draft: undefined,
        file: { version: 'v1' },
        renamed: 'a.ts',
        now,
      }),
    ).toEqual({
      kind: 'renamed',
      notice: 'Renamed from a.ts.',
    });
    // Edits carried over a file that changed meanwhile are restored as a conflict.
    expect(
      draftOpening({ path: 'b.ts', draft, file: { version: 'v2' }, renamed: 'a.ts', now }),
    ).toMatchObject({
      kind: 'restored',
      stale: true,
    });
  });
});

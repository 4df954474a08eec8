import { describe, expect, it } from 'vitest';

import { draftOpening, openedText } from './draft-opening';

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

describe('openedText', () => {
  const BOM = '\uFEFF';
  const crlfFile = { content: `${BOM}one\r\ntwo\r\n` };

  it('opens the file as the editor holds text, and keeps its convention for the save', () => {
    expect(openedText({ file: crlfFile, draft: undefined })).toEqual({
      text: 'one\ntwo\n',
      format: { eol: 'CRLF', bom: true, mixed: false },
      draftIsFile: false,
    });
    expect(openedText({ file: undefined, draft: undefined }).text).toBe('');
  });

  it('restores a draft kept as the file would be saved', () => {
    const draft = { content: `${BOM}one\r\ntwo!\r\n` };
    expect(openedText({ file: crlfFile, draft })).toEqual({
      text: 'one\ntwo!\n',
      format: { eol: 'CRLF', bom: true, mixed: false },
      draftIsFile: false,
    });
  });

  it('drops a draft that is the file, whatever its line endings (an earlier Grove kept \\n)', () => {
    expect(openedText({ file: crlfFile, draft: { ...crlfFile } }).draftIsFile).toBe(true);
    expect(openedText({ file: crlfFile, draft: { content: 'one\ntwo\n' } }).draftIsFile).toBe(true);
    // An earlier Grove's draft of real edits: restored, and saved as the file is.
    expect(openedText({ file: crlfFile, draft: { content: 'one\ntwo!\n' } })).toMatchObject({
      text: 'one\ntwo!\n',
      format: { eol: 'CRLF', bom: true },
      draftIsFile: false,
    });
  });

  it("writes a deleted file's draft again as the draft has it", () => {
    expect(openedText({ file: undefined, draft: { content: `${BOM}a\r\nb` } })).toEqual({
      text: 'a\nb',
      format: { eol: 'CRLF', bom: true, mixed: false },
      draftIsFile: false,
    });
  });
});

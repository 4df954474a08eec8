import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';

import {
  describeTextFormat,
  detectTextFormat,
  diskText,
  editorText,
  PLAIN_TEXT_FORMAT,
} from './line-endings';

const BOM = '\uFEFF';

describe('detectTextFormat', () => {
  it('tells CRLF from LF, and a BOM', () => {
    expect(detectTextFormat('one\r\ntwo\r\nthree\r\n')).toEqual({
      eol: 'CRLF',
      bom: false,
      mixed: false,
    });
    expect(detectTextFormat('one\ntwo\n')).toEqual({ eol: 'LF', bom: false, mixed: false });
    expect(detectTextFormat(`${BOM}one\r\ntwo`)).toEqual({ eol: 'CRLF', bom: true, mixed: false });
    expect(detectTextFormat(`${BOM}`)).toEqual({ eol: 'LF', bom: true, mixed: false });
    // A U+FEFF further in is a character of the text, not a BOM.
    expect(detectTextFormat(`a${BOM}`).bom).toBe(false);
  });

  it('gives LF to a file without line breaks, as to a new one', () => {
    expect(detectTextFormat('')).toEqual(PLAIN_TEXT_FORMAT);
    expect(detectTextFormat('one line')).toEqual(PLAIN_TEXT_FORMAT);
  });

  it('keeps the majority of a mixed file, LF on a tie, and says it is mixed', () => {
    expect(detectTextFormat('a\r\nb\r\nc\n')).toEqual({ eol: 'CRLF', bom: false, mixed: true });
    expect(detectTextFormat('a\r\nb\nc\n')).toEqual({ eol: 'LF', bom: false, mixed: true });
    expect(detectTextFormat('a\r\nb\n')).toEqual({ eol: 'LF', bom: false, mixed: true });
    // A lone CR is a line break, and not a CRLF one.
    expect(detectTextFormat('a\r\nb\rc\r\n')).toEqual({ eol: 'CRLF', bom: false, mixed: true });
    expect(detectTextFormat('a\rb\rc\r\n')).toEqual({ eol: 'LF', bom: false, mixed: true });
  });
});

describe('editorText and diskText', () => {
  it('gives the editor plain text: no BOM, every break a \\n', () => {
    expect(editorText(`${BOM}one\r\ntwo\rthree\n`)).toBe('one\ntwo\nthree\n');
    // Only the first BOM is the file's; another one is text, and stays.
    expect(editorText(`${BOM}${BOM}x`)).toBe(`${BOM}x`);
  });

  it.each([
    'one\r\ntwo\r\nthree\r\n',
    `${BOM}one\r\ntwo\r\nthree`,
    `${BOM}one\ntwo\n`,
    'one\ntwo\n',
    '',
    BOM,
    `${BOM}${BOM}x\r\n`,
    '\r\n\r\n',
  ])('writes back the bytes of a file left as it was: %j', (content) => {
    expect(diskText(editorText(content), detectTextFormat(content))).toBe(content);
  });

  it('never doubles a CR the text may still have', () => {
    expect(diskText('a\r\nb\rc\n', { eol: 'CRLF', bom: false, mixed: false })).toBe(
      'a\r\nb\r\nc\r\n',
    );
    expect(diskText('a\r\nb', PLAIN_TEXT_FORMAT)).toBe('a\nb');
  });

  it('writes a mixed file with its majority ending', () => {
    const content = 'a\r\nb\r\nc\n';
    expect(diskText(editorText(content), detectTextFormat(content))).toBe('a\r\nb\r\nc\r\n');
  });

  it('round-trips through a CodeMirror document: an edit of line 2 changes line 2 only', () => {
    const content = `${BOM}one\r\ntwo\r\nthree\r\n`;
    const format = detectTextFormat(content);
    let state = EditorState.create({ doc: editorText(content) });
    expect(state.doc.lines).toBe(4);
    const line = state.doc.line(2);
    state = state.update({ changes: { from: line.to, insert: '!' } }).state;
    const saved = diskText(state.doc.toString(), format);
    expect(saved).toBe(`${BOM}one\r\ntwo!\r\nthree\r\n`);
    // A line added by Enter gets the file's ending too.
    state = state.update({ changes: { from: state.doc.length, insert: '\nfour' } }).state;
    expect(diskText(state.doc.toString(), format)).toBe(`${BOM}one\r\ntwo!\r\nthree\r\n\r\nfour`);
  });
});

describe('describeTextFormat', () => {
  it('names the ending, the BOM, and a mixed file', () => {
    expect(describeTextFormat(PLAIN_TEXT_FORMAT).label).toBe('LF');
    expect(describeTextFormat({ eol: 'CRLF', bom: true, mixed: false })).toEqual({
      label: 'CRLF · BOM',
      title: 'Saved with CRLF line endings and its UTF-8 byte order mark, as the file has them.',
    });
    const mixed = describeTextFormat({ eol: 'CRLF', bom: false, mixed: true });
    expect(mixed.label).toBe('CRLF (mixed)');
    expect(mixed.title).toContain('saving writes CRLF, the most common, on every line');
  });
});

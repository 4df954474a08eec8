/**
 * A text file's line endings and byte order mark, kept across an edit in the browser.
 *
 * The files API gives a file's text exactly as its bytes decode (a UTF-8 BOM included, as
 * U+FEFF). CodeMirror splits its document on any line break and gives it back with `\n` only,
 * and would show a BOM as a stray character: the editor edits the plain text (`editorText`) and
 * what is saved or kept as a draft is that text written back in the file's own convention
 * (`diskText`). So an edit of one line of a CRLF file changes that line only, and a BOM stays,
 * as in VS Code.
 */

export type LineEnding = 'LF' | 'CRLF';

export interface TextFormat {
  /** The line break every line is written back with. */
  eol: LineEnding;
  /** The file starts with a UTF-8 byte order mark (EF BB BF). */
  bom: boolean;
  /**
   * The file has more than one kind of line break (CRLF, LF, a lone CR): a save writes all of
   * them as `eol`, so the lines that had another one change too.
   */
  mixed: boolean;
}

/** A new or empty file, and one without any line break: `\n`, no BOM. */
export const PLAIN_TEXT_FORMAT: TextFormat = { eol: 'LF', bom: false, mixed: false };

const BOM = '\uFEFF';

/**
 * The convention of `content` (a file's text as read, or a draft of it).
 *
 * Mixed line breaks: the editor has one line separator for the whole document, so one kind
 * wins, and it is the majority: CRLF when more than half of the line breaks are CRLF, else LF
 * (a tie too: LF is what the worktrees' tools write). A lone CR (classic Mac) counts as a line
 * break that is not CRLF, as CodeMirror also breaks the line there. This is VS Code's rule, and
 * it changes the fewest lines; `mixed` says some will change, and the editor shows it.
 */
export function detectTextFormat(content: string): TextFormat {
  let crlf = 0;
  let lf = 0;
  let cr = 0;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === 13) {
      if (content.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      } else cr++;
    } else if (c === 10) lf++;
  }
  const breaks = crlf + lf + cr;
  return {
    eol: crlf > breaks / 2 ? 'CRLF' : 'LF',
    bom: content.startsWith(BOM),
    mixed: [crlf, lf, cr].filter((n) => n > 0).length > 1,
  };
}

/** What the editor shows of `content`: no BOM, every line break `\n`. */
export function editorText(content: string): string {
  const text = content.startsWith(BOM) ? content.slice(BOM.length) : content;
  return text.replace(/\r\n?/g, '\n');
}

/** The editor's text as the file's bytes: its line breaks as `format.eol`, its BOM back. */
export function diskText(text: string, format: TextFormat): string {
  // The editor's text has `\n` only; any other break is made one first, so none is doubled.
  const lines = text.replace(/\r\n?/g, '\n');
  const body = format.eol === 'CRLF' ? lines.replace(/\n/g, '\r\n') : lines;
  return format.bom ? `${BOM}${body}` : body;
}

/** The editor header's words for a format, and what they mean (its tooltip). */
export function describeTextFormat(format: TextFormat): { label: string; title: string } {
  const parts = [format.eol, ...(format.bom ? ['BOM'] : [])];
  const kept = `Saved with ${format.eol} line endings${format.bom ? ' and its UTF-8 byte order mark' : ''}, as the file has them.`;
  if (!format.mixed) return { label: parts.join(' · '), title: kept };
  return {
    label: `${parts.join(' · ')} (mixed)`,
    title: `The file mixes line endings: saving writes ${format.eol}, the most common, on every line.${format.bom ? ' Its UTF-8 byte order mark is kept.' : ''}`,
  };
}

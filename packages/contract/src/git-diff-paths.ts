/**
 * Reading paths out of `git diff` output, as the worker (which lists a diff's files) and the
 * browser (which shows them) both must. git writes a name as it is, except that:
 * - a name with a byte it deems unusual (`"`, `\`, a control character; with core.quotePath,
 *   also non-ASCII) is C-quoted: `"b/back\\slash.txt"`, octal escapes for raw bytes;
 * - on `---`/`+++` lines, a name containing a space gets a TAB after it.
 */

const ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  '\\': 92,
};

/** Undoes git's C-quoting of one name (`"…"`, quotes included); other text is returned as is. */
export function unquoteGitPath(text: string): string {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      bytes.push(...new TextEncoder().encode(char));
      continue;
    }
    const next = body[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else if (next in ESCAPES) {
      bytes.push(ESCAPES[next]!);
      i += 1;
    } else {
      bytes.push(92);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** The path on a `--- a/…` or `+++ b/…` line, or undefined for `/dev/null` and other lines. */
export function pathOnFileLine(line: string): string | undefined {
  const marker = line.slice(0, 4);
  if (marker !== '--- ' && marker !== '+++ ') return undefined;
  let name = line.slice(4);
  if (name.startsWith('"')) name = unquoteGitPath(name);
  else if (name.endsWith('\t')) name = name.slice(0, -1);
  const prefix = marker === '--- ' ? 'a/' : 'b/';
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

/**
 * The new path of a `diff --git` header (`diff --git a/x b/x`). Unquoted names may hold spaces,
 * so `a/<p> b/<p>` is split in the middle when both halves name the same file; a rename's header
 * is ambiguous then, and its `rename to` line (see diffSectionPath) decides.
 */
export function pathOnGitHeader(line: string): string | undefined {
  const rest = line.startsWith('diff --git ') ? line.slice(11) : undefined;
  if (rest === undefined) return undefined;
  if (rest.endsWith('"')) {
    const open = rest.lastIndexOf(' "');
    const name = unquoteGitPath(open >= 0 ? rest.slice(open + 1) : rest);
    return name.startsWith('b/') ? name.slice(2) : undefined;
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(0, half).slice(2) === rest.slice(half + 1).slice(2))
    return rest.slice(half + 3);
  const split = rest.lastIndexOf(' b/');
  return split >= 0 ? rest.slice(split + 3) : undefined;
}

/**
 * The path a `diff --git` section is about: its new path, the old one for a deletion. Works on
 * the section's header lines (before the first hunk), in order.
 */
export function diffSectionPath(headerLines: readonly string[]): string {
  let oldPath: string | undefined;
  let newPath: string | undefined;
  let renamedTo: string | undefined;
  for (const line of headerLines) {
    if (line.startsWith('@@')) break;
    if (line.startsWith('+++ ')) newPath = pathOnFileLine(line);
    else if (line.startsWith('--- ')) oldPath = pathOnFileLine(line);
    else if (line.startsWith('rename to ')) renamedTo = unquoteGitPath(line.slice(10));
  }
  return newPath ?? renamedTo ?? oldPath ?? pathOnGitHeader(headerLines[0] ?? '') ?? '';
}

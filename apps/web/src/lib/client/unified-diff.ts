import {
  pathOnFileLine,
  pathOnGitHeader,
  unquoteGitPath,
  type GitDiffResponse,
} from '@grove/contract';

export type DiffLineKind = 'add' | 'del' | 'context' | 'hunk' | 'meta';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
  /** Line numbers in the old and new file, where the line exists there. */
  oldLine?: number;
  newLine?: number;
}

export interface DiffFile {
  /** The new path (the old one for a deletion). */
  path: string;
  additions: number;
  deletions: number;
  /** git found no text to compare ("Binary files … differ"): there are no lines to show. */
  binary: boolean;
  lines: DiffLine[];
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Splits a `git diff` unified diff into files with numbered lines, for display. */
export function parseUnifiedDiff(diff: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  const lines = diff.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      file = {
        path: pathOnGitHeader(line) ?? line.slice(11),
        additions: 0,
        deletions: 0,
        binary: false,
        lines: [],
      };
      files.push(file);
      inHunk = false;
      continue;
    }
    if (!file) continue;
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      inHunk = true;
      file.lines.push({ kind: 'hunk', text: line });
    } else if (!inHunk) {
      // Named as the worker names it in `files` (quoting and a name's trailing TAB undone).
      const named = line.startsWith('+++ ')
        ? pathOnFileLine(line)
        : line.startsWith('rename to ')
          ? unquoteGitPath(line.slice(10))
          : undefined;
      if (named !== undefined) file.path = named;
      if (/^Binary files .* differ$/.test(line) || line === 'GIT binary patch') file.binary = true;
      file.lines.push({ kind: 'meta', text: line });
    } else if (line.startsWith('+')) {
      file.additions += 1;
      file.lines.push({ kind: 'add', text: line.slice(1), newLine: newLine++ });
    } else if (line.startsWith('-')) {
      file.deletions += 1;
      file.lines.push({ kind: 'del', text: line.slice(1), oldLine: oldLine++ });
    } else if (line.startsWith('\\')) {
      file.lines.push({ kind: 'meta', text: line });
    } else {
      file.lines.push({
        kind: 'context',
        text: line.slice(1),
        oldLine: oldLine++,
        newLine: newLine++,
      });
    }
  }
  return files;
}

/** One file as the Changes panel shows it: its parsed diff (if any came) and how complete. */
export interface ShownDiffFile {
  path: string;
  parsed: DiffFile | undefined;
  /** Bytes of the file's whole diff, when what is shown is cut (or nothing came). */
  cutFrom: number | undefined;
}

/**
 * The files of a diff answer, in the worker's order: its `files` list is complete (files left
 * out at the total cap too), the parsed sections fill it in, and `whole` holds files loaded
 * one at a time (`?path=`) in place of their cut sections.
 */
export function filesToShow(
  diff: GitDiffResponse,
  whole: Readonly<Record<string, GitDiffResponse>>,
): ShownDiffFile[] {
  const parsed = new Map(parseUnifiedDiff(diff.diff).map((file) => [file.path, file]));
  const shown: ShownDiffFile[] = diff.files.map((entry) => {
    const loaded = whole[entry.path];
    if (loaded)
      return {
        path: entry.path,
        parsed: parseUnifiedDiff(loaded.diff)[0],
        cutFrom: loaded.truncated ? loaded.files[0]?.bytes : undefined,
      };
    return {
      path: entry.path,
      parsed: parsed.get(entry.path),
      cutFrom: entry.truncated ? entry.bytes : undefined,
    };
  });
  const listed = new Set(diff.files.map((entry) => entry.path));
  for (const [path, file] of parsed)
    if (!listed.has(path)) shown.push({ path, parsed: file, cutFrom: undefined });
  return shown;
}

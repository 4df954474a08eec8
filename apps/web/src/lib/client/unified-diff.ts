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

function pathFromHeader(line: string): string | undefined {
  const match = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
  return match?.[2];
}

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
        path: pathFromHeader(line) ?? line.slice(11),
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
      if (line.startsWith('+++ b/')) file.path = line.slice(6);
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

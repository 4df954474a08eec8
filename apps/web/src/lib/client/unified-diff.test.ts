import { describe, expect, it } from 'vitest';

import { filesToShow, parseUnifiedDiff } from './unified-diff';

const DIFF = `diff --git a/README.md b/README.md
index 1111111..2222222 100644
--- a/README.md
+++ b/README.md
@@ -1,2 +1,3 @@
 # demo
-old line
+new line
+another
diff --git a/notes/new.txt b/notes/new.txt
new file mode 100644
--- /dev/null
+++ b/notes/new.txt
@@ -0,0 +1 @@
+hello
\\ No newline at end of file
`;

describe('parseUnifiedDiff', () => {
  it('splits files and numbers their lines', () => {
    const files = parseUnifiedDiff(DIFF);
    expect(files.map((f) => [f.path, f.additions, f.deletions])).toEqual([
      ['README.md', 2, 1],
      ['notes/new.txt', 1, 0],
    ]);
    const body = files[0]!.lines.filter((l) => l.kind !== 'meta' && l.kind !== 'hunk');
    expect(body).toEqual([
      { kind: 'context', text: '# demo', oldLine: 1, newLine: 1 },
      { kind: 'del', text: 'old line', oldLine: 2 },
      { kind: 'add', text: 'new line', newLine: 2 },
      { kind: 'add', text: 'another', newLine: 3 },
    ]);
    expect(files[1]!.lines.at(-1)).toEqual({ kind: 'meta', text: '\\ No newline at end of file' });
  });

  it('marks a binary file, which has no lines', () => {
    const [image, text] = parseUnifiedDiff(
      [
        'diff --git a/logo.png b/logo.png',
        'new file mode 100644',
        'index 0000000..1b2c3d4',
        'Binary files /dev/null and b/logo.png differ',
        'diff --git a/a.txt b/a.txt',
        '--- a/a.txt',
        '+++ b/a.txt',
        '@@ -1 +1 @@',
        '-old',
        '+new',
      ].join('\n'),
    );
    expect(image).toMatchObject({ path: 'logo.png', binary: true, additions: 0, deletions: 0 });
    expect(image!.lines.filter((l) => l.kind !== 'meta')).toEqual([]);
    expect(text).toMatchObject({ path: 'a.txt', binary: false, additions: 1, deletions: 1 });
  });

  it('answers no files for an empty diff', () => {
    expect(parseUnifiedDiff('')).toEqual([]);
  });
});

describe('filesToShow', () => {
  const section = (path: string, lines: number) =>
    `diff --git a/${path} b/${path}\nnew file mode 100644\n--- /dev/null\n+++ b/${path}\t\n@@ -0,0 +1,${lines} @@\n${Array.from({ length: lines }, (_, i) => `+${i + 1}\n`).join('')}`;

  it("follows the worker's list: cut files say so, left-out files appear, loaded files replace", () => {
    const answer = {
      diff: section('a b.txt', 2) + section('big.txt', 3),
      files: [
        { path: 'a b.txt', truncated: false, bytes: 60 },
        { path: 'big.txt', truncated: true, bytes: 90_000 },
        { path: 'left out.txt', truncated: true, bytes: 70_000 },
      ],
      truncated: true,
    };
    const shown = filesToShow(answer, {});
    expect(shown.map((f) => [f.path, f.parsed?.additions, f.cutFrom])).toEqual([
      ['a b.txt', 2, undefined],
      ['big.txt', 3, 90_000],
      ['left out.txt', undefined, 70_000],
    ]);
    const whole = {
      'big.txt': {
        diff: section('big.txt', 10),
        files: [{ path: 'big.txt', truncated: false, bytes: 90_000 }],
        truncated: false,
      },
    };
    expect(filesToShow(answer, whole)[1]).toMatchObject({
      path: 'big.txt',
      parsed: { additions: 10 },
      cutFrom: undefined,
    });
  });

  it('names files as the worker does: quoted names and the TAB after a name with a space', () => {
    const diff =
      'diff --git "a/back\\\\slash.txt" "b/back\\\\slash.txt"\nnew file mode 100644\n--- /dev/null\n+++ "b/back\\\\slash.txt"\n@@ -0,0 +1 @@\n+x\n';
    expect(parseUnifiedDiff(diff)[0]!.path).toBe('back\\slash.txt');
    expect(parseUnifiedDiff(section('x y.md', 1))[0]!.path).toBe('x y.md');
  });
});

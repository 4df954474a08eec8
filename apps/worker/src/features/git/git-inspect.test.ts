import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { DIFF_FILE_CAP_BYTES, DIFF_TOTAL_CAP_BYTES } from '@grove/contract';
import { git, makeTempDir } from '@grove/testkit';
import { describe, expect, it } from 'vitest';

import { capDiff, parsePorcelain } from './git-inspect';
import { githubRepoOf } from './pull-requests';

function section(file: string, lines: number, width = 80): string {
  const body = Array.from({ length: lines }, (_, i) => `+${String(i).padEnd(width, 'x')}\n`).join(
    '',
  );
  return `diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1,${lines} @@\n${body}`;
}

describe('capDiff', () => {
  it('keeps small diffs whole', () => {
    const raw = section('a.txt', 3) + section('b c.txt', 2);
    const capped = capDiff(raw);
    expect(capped.diff).toBe(raw);
    expect(capped.truncated).toBe(false);
    expect(capped.files.map((f) => f.path)).toEqual(['a.txt', 'b c.txt']);
  });

  it('cuts a huge file at a line end and flags it, and stops the whole at the total cap', () => {
    const huge = section('huge.txt', 2000); // ~160 KiB
    const many = Array.from({ length: 12 }, (_, i) => section(`f${i}.txt`, 600)).join(''); // ~48 KiB each
    const capped = capDiff(huge + many);
    const first = capped.files[0]!;
    expect(first).toMatchObject({ path: 'huge.txt', truncated: true });
    expect(Buffer.byteLength(capped.diff)).toBeLessThanOrEqual(DIFF_TOTAL_CAP_BYTES);
    expect(capped.diff.split('diff --git')[1]!.length).toBeLessThanOrEqual(DIFF_FILE_CAP_BYTES);
    expect(capped.diff.endsWith('\n')).toBe(true);
    expect(capped.truncated).toBe(true);
    expect(capped.files.some((f) => f.path.startsWith('f') && f.truncated)).toBe(true);
    expect(capped.files).toHaveLength(13);
  });
});

describe('capDiff on real git output', () => {
  it('names files with spaces, quotes, backslashes, tabs, newlines, emoji, renames and binaries', () => {
    const temp = makeTempDir('grove-diff-names-');
    try {
      const repo = temp.dir;
      git(repo, ['init', '--quiet']);
      writeFileSync(path.join(repo, 'old name.txt'), 'same\n'.repeat(20));
      writeFileSync(path.join(repo, 'gone.txt'), 'bye\n');
      git(repo, ['add', '--all']);
      git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'base']);
      const names = [
        'big diff file.txt',
        'new dir/sub/f.md',
        '😀 smile.md',
        'back\\slash.txt',
        'q"uote.txt',
        'tab\tname.txt',
        'new\nline.txt',
      ];
      for (const name of names) {
        mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
        writeFileSync(path.join(repo, name), `${name}\n`);
      }
      writeFileSync(path.join(repo, 'blob.bin'), Buffer.from([0, 1, 2, 0, 255]));
      git(repo, ['mv', 'old name.txt', 'new name.txt']);
      git(repo, ['rm', '--quiet', 'gone.txt']);
      git(repo, ['add', '--all']);
      const raw = git(repo, [
        '-c',
        'core.quotePath=false',
        'diff',
        '--cached',
        '--no-color',
        '--find-renames',
        'HEAD',
      ]);
      expect(
        capDiff(raw)
          .files.map((f) => f.path)
          .sort(),
      ).toEqual([...names, 'blob.bin', 'new name.txt', 'gone.txt'].sort());
    } finally {
      temp.cleanup();
    }
  });
});

describe('parsePorcelain', () => {
  it('maps porcelain codes, renames with their original path, and conflicts', () => {
    const out = [
      ' M src/a.ts',
      'A  new.ts',
      ' D gone.ts',
      'R  to.ts',
      'from.ts',
      'UU both.ts',
      '?? odd name.txt',
      '',
    ].join('\0');
    expect(parsePorcelain(out)).toEqual([
      { path: 'src/a.ts', status: 'modified' },
      { path: 'new.ts', status: 'added' },
      { path: 'gone.ts', status: 'deleted' },
      { path: 'to.ts', status: 'renamed' },
      { path: 'both.ts', status: 'conflicted' },
      { path: 'odd name.txt', status: 'untracked' },
    ]);
  });
});

describe('githubRepoOf', () => {
  it('reads owner/repo of a remote on the configured GitHub only', () => {
    expect(githubRepoOf('https://github.com/octo/app.git', 'https://github.com')).toEqual({
      owner: 'octo',
      repo: 'app',
    });
    expect(
      githubRepoOf('https://ghe.example.com/git/octo/app.git', 'https://ghe.example.com/git'),
    ).toEqual({
      owner: 'octo',
      repo: 'app',
    });
    expect(githubRepoOf('https://gitlab.com/octo/app.git', 'https://github.com')).toBeUndefined();
    expect(githubRepoOf('file:///srv/app', 'https://github.com')).toBeUndefined();
  });
});

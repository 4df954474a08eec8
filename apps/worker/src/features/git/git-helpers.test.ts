import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { git, makeTempDir } from '@grove/testkit';
import { afterAll, describe, expect, it } from 'vitest';

import { createGit } from '../../lib/git';

import { operationInProgress } from './git-helpers';

const temp = makeTempDir('grove-git-helpers-');
afterAll(() => temp.cleanup());

/** A repository whose `main` and `other` both changed `file.txt`, and a linked worktree of it. */
function conflictingRepo(): { repo: string; linked: string } {
  const repo = path.join(temp.dir, 'repo');
  git(temp.dir, ['init', '--quiet', '--initial-branch', 'main', repo]);
  git(repo, ['config', 'user.name', 'Test']);
  git(repo, ['config', 'user.email', 'test@example.com']);
  writeFileSync(path.join(repo, 'file.txt'), 'base\n');
  git(repo, ['add', '.']);
  git(repo, ['commit', '--quiet', '-m', 'base']);
  git(repo, ['branch', 'other']);
  writeFileSync(path.join(repo, 'file.txt'), 'main\n');
  git(repo, ['commit', '--quiet', '-am', 'main']);
  const linked = path.join(temp.dir, 'linked');
  git(repo, ['worktree', 'add', '--quiet', linked, 'other']);
  writeFileSync(path.join(linked, 'file.txt'), 'other\n');
  git(linked, ['commit', '--quiet', '-am', 'other']);
  return { repo, linked };
}

function tryGit(dir: string, args: string[]): void {
  try {
    git(dir, args);
  } catch {
    // A conflicting merge or rebase exits non-zero: that half-done state is the point.
  }
}

describe('operationInProgress', () => {
  const { repo, linked } = conflictingRepo();
  const options = { allowProtocols: ['file'] };

  it('sees a half-done merge, rebase or cherry-pick, in the main worktree and a linked one', async () => {
    for (const dir of [repo, linked]) {
      const gitClient = createGit(dir, options);
      const theirs = dir === repo ? 'other' : 'main';
      expect(await operationInProgress(gitClient, dir)).toBe(false);
      for (const [start, abort] of [
        [
          ['merge', theirs],
          ['merge', '--abort'],
        ],
        [
          ['rebase', theirs],
          ['rebase', '--abort'],
        ],
        [
          ['cherry-pick', theirs],
          ['cherry-pick', '--abort'],
        ],
      ] as const) {
        tryGit(dir, [...start]);
        expect(await operationInProgress(gitClient, dir), `${dir}: ${start[0]}`).toBe(true);
        git(dir, [...abort]);
        expect(await operationInProgress(gitClient, dir), `${dir}: ${start[0]}`).toBe(false);
      }
    }
  });
});

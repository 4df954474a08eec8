import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { childEnv } from './child-env';

/** Environment for fixture git commands: fixed identity, no user or system config. */
export const FIXTURE_GIT_ENV: Record<string, string | undefined> = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Grove Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@grove.test',
  GIT_COMMITTER_NAME: 'Grove Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@grove.test',
};

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: childEnv(FIXTURE_GIT_ENV),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface SourceRepoOptions {
  /** How many files the first commit holds (spread over folders of 100). */
  files?: number;
  defaultBranch?: string;
  /** Extra branches, each one commit ahead of the default branch. */
  branches?: string[];
}

/** A real repository with a working tree, used as the "remote" a session starts from. */
export function createSourceRepo(dir: string, options: SourceRepoOptions = {}): string {
  const { files = 3, defaultBranch = 'main', branches = [] } = options;
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '--quiet', '--initial-branch', defaultBranch]);
  writeFileSync(path.join(dir, 'README.md'), '# fixture\n');
  for (let i = 0; i < files; i++) {
    const folder = path.join(dir, 'src', `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `f${i}.txt`), `file ${i}\n`.repeat(8));
  }
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', 'initial']);
  for (const branch of branches) {
    git(dir, ['checkout', '--quiet', '-b', branch]);
    writeFileSync(path.join(dir, `${branch.replace(/\//g, '-')}.txt`), `${branch}\n`);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '--quiet', '-m', `on ${branch}`]);
    git(dir, ['checkout', '--quiet', defaultBranch]);
  }
  return dir;
}

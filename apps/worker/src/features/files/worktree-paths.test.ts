import { mkdirSync, symlinkSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';

import { worktreePathSchema } from '@grove/contract';
import { makeTempDir } from '@grove/testkit';
import { afterAll, describe, expect, it } from 'vitest';

import { isGitInternal, resolveEntryInWorktree, resolveInWorktree } from './worktree-paths';

describe('worktree paths', () => {
  const temp = makeTempDir('grove-paths-');
  const root = path.join(temp.dir, 'wt');
  mkdirSync(path.join(root, 'src'), { recursive: true });
  symlinkSync('/etc', path.join(root, 'etc'));
  symlinkSync(path.join(temp.dir, 'nowhere'), path.join(root, 'dangling'));
  afterAll(() => temp.cleanup());

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a\\..\\b', 'a\0b'])('the schema refuses %j', (p) =>
    expect(worktreePathSchema.safeParse(p).success).toBe(false),
  );

  it('takes a % as an ordinary character, never decoding it to a dot or slash', async () => {
    for (const p of ['pct%2e.txt', '%2e%2e/x', 'a%2Fb'])
      expect(worktreePathSchema.safeParse(p).success, p).toBe(true);
    expect((await resolveInWorktree(root, '%2e%2e/x')).relative).toBe('%2e%2e/x');
  });

  it('resolves inside paths, missing ones by their parent', async () => {
    expect((await resolveInWorktree(root, 'src/new/file.ts')).relative).toBe('src/new/file.ts');
    expect((await resolveInWorktree(root, '')).relative).toBe('');
  });

  it('refuses links that leave the worktree, even for a file that does not exist yet', async () => {
    await expect(resolveInWorktree(root, 'etc/passwd')).rejects.toMatchObject({ status: 403 });
    await expect(resolveInWorktree(root, 'etc/new-file')).rejects.toMatchObject({ status: 403 });
    await expect(resolveInWorktree(root, 'dangling')).rejects.toMatchObject({ status: 403 });
    await expect(resolveInWorktree(root, '../outside')).rejects.toMatchObject({ status: 403 });
  });

  it('names the entry itself: a link is never followed, but a link among its folders must stay inside', async () => {
    symlinkSync('src', path.join(root, 'src-link'));
    const real = await realpath(root);
    const link = await resolveEntryInWorktree(root, 'src-link');
    expect(link).toMatchObject({ relative: 'src-link', exists: true, link: true });
    expect(link.location).toBe(path.join(real, 'src-link'));
    expect(link.target?.relative).toBe('src');
    expect(await resolveEntryInWorktree(root, 'src-link/new.ts')).toMatchObject({
      relative: 'src/new.ts',
      exists: false,
      link: false,
    });
    // The link itself, wherever it leads (out, nowhere): where it points is not looked at.
    for (const name of ['etc', 'dangling'])
      expect(await resolveEntryInWorktree(root, name)).toEqual({
        relative: name,
        location: path.join(real, name),
        target: null,
        link: true,
        exists: true,
      });
    await expect(resolveEntryInWorktree(root, 'etc/passwd')).rejects.toMatchObject({ status: 403 });
    await expect(resolveEntryInWorktree(root, 'dangling/x')).rejects.toMatchObject({ status: 403 });
    for (const itself of ['.', '', 'src/..', './'])
      await expect(resolveEntryInWorktree(root, itself), itself).rejects.toMatchObject({
        status: 400,
      });
  });
});

describe('isGitInternal', () => {
  it('covers every name git refuses to track, in any case, and nothing else', () => {
    for (const refused of [
      '.git',
      '.GIT/x',
      'a/.Git/b',
      'git~1/x',
      'GIT~1',
      '.git.',
      '.git /x',
      '.git:s',
    ])
      expect(isGitInternal(refused), refused).toBe(true);
    for (const fine of ['.gitignore', '.github/workflows/ci.yml', 'x.git', 'git', 'my.git.d/x'])
      expect(isGitInternal(fine), fine).toBe(false);
  });
});

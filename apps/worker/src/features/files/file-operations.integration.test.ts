import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { createSourceRepo, makeTempDir } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('creating, moving and deleting files and folders in the worktree', () => {
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let id: string;
  let worktree: string;
  /** A writable folder outside the worktree that a link inside points to. */
  let outside: string;
  let alice: ReturnType<TestWorker['fetchAs']>;
  const q = (p: string) => encodeURIComponent(p);
  const at = (p: string) => path.join(worktree, p);

  const createFile = (p: string, content = '') =>
    alice(`/sessions/${id}/file`, { method: 'PUT', json: { path: p, content, createOnly: true } });
  const makeFolder = (p: unknown) =>
    alice(`/sessions/${id}/folder`, { method: 'POST', json: { path: p } });
  const move = (from: unknown, to: unknown, overwrite?: boolean) =>
    alice(`/sessions/${id}/file/move`, {
      method: 'POST',
      json: { from, to, ...(overwrite === undefined ? {} : { overwrite }) },
    });
  const remove = (p: string) => alice(`/sessions/${id}/file?path=${q(p)}`, { method: 'DELETE' });
  const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

  beforeAll(async () => {
    temp = makeTempDir('grove-file-ops-');
    const repo = createSourceRepo(path.join(temp.dir, 'origin'), { files: 2 });
    tw = await startTestWorker();
    alice = tw.fetchAs('alice');
    const res = await alice('/sessions', { json: { repo } });
    id = ((await res.json()) as { session: { id: string } }).session.id;
    worktree = path.join(tw.dataDir, 'worktrees', id);
    outside = path.join(temp.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'victim.txt'), 'not yours\n');
    symlinkSync(outside, at('outside-link'));
    symlinkSync('README.md', at('readme-link'));
  });

  afterAll(async () => {
    await tw.close();
    tw.cleanup();
    temp.cleanup();
  });

  it('creates a new empty file, and never over an existing one when asked for create-only', async () => {
    const created = await createFile('notes/new.md');
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ path: 'notes/new.md', size: 0 });
    expect(readFileSync(at('notes/new.md'), 'utf8')).toBe('');

    writeFileSync(at('notes/new.md'), 'typed since\n');
    const again = await createFile('notes/new.md');
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toEqual({
      code: 'conflict',
      message: 'notes/new.md already exists',
    });
    expect(readFileSync(at('notes/new.md'), 'utf8')).toBe('typed since\n');
    // A folder, or a link to a file, is something there too.
    expect((await createFile('notes')).status).toBe(409);
    const readme = readFileSync(at('README.md'), 'utf8');
    expect((await createFile('readme-link')).status).toBe(409);
    expect(readFileSync(at('README.md'), 'utf8')).toBe(readme);

    const both = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'x.md', content: '', createOnly: true, baseVersion: '0'.repeat(64) },
    });
    expect(both.status).toBe(422);
    expect(existsSync(at('x.md'))).toBe(false);
  });

  it('makes folders with their parents, says when one was there, refuses a file in the way', async () => {
    const made = await makeFolder('tree/a/b');
    expect(made.status).toBe(201);
    expect(await made.json()).toEqual({ path: 'tree/a/b', created: true });
    expect(lstatSync(at('tree/a/b')).isDirectory()).toBe(true);

    const again = await makeFolder('tree/a');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ path: 'tree/a', created: false });

    const onFile = await makeFolder('README.md');
    expect(onFile.status).toBe(409);
    expect((await errorOf(onFile)).message).toBe('README.md already exists and is a file');
    const underFile = await makeFolder('README.md/sub');
    expect(underFile.status).toBe(400);
    expect((await errorOf(underFile)).message).toBe('A parent of path is a file');
  });

  it('renames a file, moving it into new folders, and keeps what it holds', async () => {
    writeFileSync(at('notes/rename-me.txt'), 'keep me\n');
    const moved = await move('notes/rename-me.txt', 'docs/deep/renamed.txt');
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({
      from: 'notes/rename-me.txt',
      to: 'docs/deep/renamed.txt',
      type: 'file',
    });
    expect(existsSync(at('notes/rename-me.txt'))).toBe(false);
    expect(readFileSync(at('docs/deep/renamed.txt'), 'utf8')).toBe('keep me\n');
  });

  it('refuses to overwrite unless asked, and never replaces a folder', async () => {
    writeFileSync(at('one.txt'), 'one\n');
    writeFileSync(at('two.txt'), 'two\n');
    const refused = await move('one.txt', 'two.txt');
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toEqual({ code: 'conflict', message: 'two.txt already exists' });
    expect(readFileSync(at('one.txt'), 'utf8')).toBe('one\n');
    expect(readFileSync(at('two.txt'), 'utf8')).toBe('two\n');

    expect((await move('one.txt', 'two.txt', true)).status).toBe(200);
    expect(existsSync(at('one.txt'))).toBe(false);
    expect(readFileSync(at('two.txt'), 'utf8')).toBe('one\n');

    // A folder in the way stays, overwrite or not; a folder does not replace a file either.
    mkdirSync(at('full/inside'), { recursive: true });
    writeFileSync(at('full/inside/kept.txt'), 'kept\n');
    const ontoFolder = await move('two.txt', 'full', true);
    expect(ontoFolder.status).toBe(409);
    expect((await errorOf(ontoFolder)).message).toBe(
      'full is a folder; a folder is never replaced',
    );
    expect((await move('full', 'two.txt', true)).status).toBe(409);
    expect(readFileSync(at('full/inside/kept.txt'), 'utf8')).toBe('kept\n');
    expect(readFileSync(at('two.txt'), 'utf8')).toBe('one\n');
  });

  it('moves a folder with everything in it, but not into itself', async () => {
    mkdirSync(at('pkg/src'), { recursive: true });
    writeFileSync(at('pkg/src/index.ts'), 'export {};\n');
    const moved = await move('pkg', 'libs/pkg2');
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ from: 'pkg', to: 'libs/pkg2', type: 'dir' });
    expect(readFileSync(at('libs/pkg2/src/index.ts'), 'utf8')).toBe('export {};\n');
    expect(existsSync(at('pkg'))).toBe(false);

    const intoItself = await move('libs/pkg2', 'libs/pkg2/src/again');
    expect(intoItself.status).toBe(400);
    expect(existsSync(at('libs/pkg2/src/index.ts'))).toBe(true);
    expect((await move('libs/pkg2', 'libs/pkg2')).status).toBe(400);
    expect((await move('no/such.txt', 'elsewhere.txt')).status).toBe(404);
  });

  it('moves and deletes a link itself, never what it points to', async () => {
    const readme = readFileSync(at('README.md'), 'utf8');
    expect((await move('readme-link', 'readme-link2')).status).toBe(200);
    expect(lstatSync(at('readme-link2')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('readme-link2'))).toBe('README.md');
    const deleted = await remove('readme-link2');
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ path: 'readme-link2', type: 'file' });
    expect(existsSync(at('readme-link2'))).toBe(false);
    expect(readFileSync(at('README.md'), 'utf8')).toBe(readme);

    mkdirSync(at('real-dir'));
    writeFileSync(at('real-dir/inside.txt'), 'inside\n');
    symlinkSync('real-dir', at('dir-link'));
    expect(await (await remove('dir-link')).json()).toEqual({ path: 'dir-link', type: 'dir' });
    expect(readFileSync(at('real-dir/inside.txt'), 'utf8')).toBe('inside\n');
  });

  it('moves and deletes a link that leads out of the worktree or nowhere: the link, never its target', async () => {
    const victim = path.join(outside, 'victim.txt');
    const listed = async (dir = '') =>
      (
        (await (await alice(`/sessions/${id}/files?path=${q(dir)}`)).json()) as {
          entries: { name: string; path: string; type: string; size: number; link?: string }[];
        }
      ).entries;
    symlinkSync(outside, at('out-dir'));
    symlinkSync(victim, at('out-file'));
    symlinkSync(path.join(temp.dir, 'nothing-here'), at('dangling'));
    symlinkSync('loop-b', at('loop-a'));
    symlinkSync('loop-a', at('loop-b'));
    mkdirSync(at('links'));
    symlinkSync(outside, at('links/out-dir'));
    symlinkSync('README.md', at('inside-link'));

    // Listed (as files of size 0, marked) so the IDE can offer rename and delete...
    const root = await listed();
    for (const name of ['out-dir', 'out-file', 'dangling', 'loop-a', 'loop-b'])
      expect(
        root.find((e) => e.name === name),
        name,
      ).toEqual({
        name,
        path: name,
        type: 'file',
        size: 0,
        link: 'outside',
      });
    expect(root.find((e) => e.name === 'inside-link')).toEqual({
      name: 'inside-link',
      path: 'inside-link',
      type: 'file',
      size: readFileSync(at('README.md')).length,
    });
    expect(await listed('links')).toEqual([
      { name: 'out-dir', path: 'links/out-dir', type: 'file', size: 0, link: 'outside' },
    ]);
    // ...but never opened, listed into or written through.
    expect((await alice(`/sessions/${id}/file?path=out-file`)).status).toBe(403);
    expect((await alice(`/sessions/${id}/files?path=out-dir`)).status).toBe(403);
    expect((await createFile('out-dir/planted.txt')).status).toBe(403);
    expect(
      (
        await alice(`/sessions/${id}/file`, {
          method: 'PUT',
          json: { path: 'out-file', content: 'x' },
        })
      ).status,
    ).toBe(403);
    // Through a loop too: a 403 that says so, on every route (not a 500).
    for (const [route, init] of [
      [`/file?path=loop-a`, {}],
      [`/file?path=loop-a/x`, {}],
      [`/files?path=loop-b`, {}],
      [`/file`, { method: 'PUT', json: { path: 'loop-a/x', content: 'x' } }],
      [`/file`, { method: 'PUT', json: { path: 'loop-a', content: 'x', createOnly: true } }],
      [`/folder`, { method: 'POST', json: { path: 'loop-a/new' } }],
      [`/file?path=loop-a/x`, { method: 'DELETE' }],
    ] as const) {
      const answer = await alice(`/sessions/${id}${route}`, init);
      expect(answer.status, route).toBe(403);
      expect(JSON.stringify(await answer.json()), route).toContain('loops');
    }

    // Renamed and moved: the link goes, pointing where it did; what it points to stays put.
    const renamed = await move('out-dir', 'moved/out-dir-renamed');
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toEqual({
      from: 'out-dir',
      to: 'moved/out-dir-renamed',
      type: 'file',
    });
    expect(lstatSync(at('moved/out-dir-renamed')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('moved/out-dir-renamed'))).toBe(outside);
    expect(existsSync(at('out-dir'))).toBe(false);
    // A link in the way is replaced only when asked, and only the link.
    expect((await move('out-file', 'dangling')).status).toBe(409);
    expect((await move('out-file', 'dangling', true)).status).toBe(200);
    expect(readlinkSync(at('dangling'))).toBe(victim);

    // Deleted: the link itself, whatever it points to.
    for (const [p, type] of [
      ['moved/out-dir-renamed', 'file'],
      ['dangling', 'file'],
      ['loop-a', 'file'],
      ['links/out-dir', 'file'],
    ] as const) {
      const deleted = await remove(p);
      expect(deleted.status, p).toBe(200);
      expect(await deleted.json()).toEqual({ path: p, type });
      expect(() => lstatSync(at(p)), p).toThrow();
    }
    expect(readFileSync(victim, 'utf8')).toBe('not yours\n');
    expect(lstatSync(outside).isDirectory()).toBe(true);
    // A link further up the path still confines: nothing beyond it is reached.
    expect((await remove('outside-link/victim.txt')).status).toBe(403);
    expect((await move('outside-link/victim.txt', 'stolen.txt')).status).toBe(403);
    expect(readFileSync(victim, 'utf8')).toBe('not yours\n');
    const after = (await listed()).map((e) => e.name);
    for (const name of ['out-dir', 'out-file', 'dangling', 'loop-a'])
      expect(after).not.toContain(name);
    expect(after).toContain('loop-b');
  });

  it('refuses a FIFO at once, to read or write, and leaves it as it was', async () => {
    execFileSync('mkfifo', [at('pipe')]);
    const within = <T>(answer: Promise<T>) =>
      Promise.race([
        answer,
        sleep(3_000).then(() => {
          throw new Error('no answer within 3 s: the open waits on the FIFO');
        }),
      ]);
    // More than libuv's four threads: none of them may be held by an open that waits.
    const reads = Array.from({ length: 6 }, () => within(alice(`/sessions/${id}/file?path=pipe`)));
    const writes = [{}, { baseVersion: '0'.repeat(64) }].map((extra) =>
      within(
        alice(`/sessions/${id}/file`, {
          method: 'PUT',
          json: { path: 'pipe', content: 'x', ...extra },
        }),
      ),
    );
    for (const answer of await Promise.all([...reads, ...writes])) {
      expect(answer.status).toBe(400);
      expect((await errorOf(answer)).message).toBe('Not a regular file');
    }
    expect((await within(alice(`/sessions/${id}/file?path=README.md`))).status).toBe(200);
    expect(lstatSync(at('pipe')).isFIFO()).toBe(true);
    await remove('pipe');
  });

  it('deletes a file, and a folder with everything in it', async () => {
    writeFileSync(at('gone.txt'), 'x\n');
    expect(await (await remove('gone.txt')).json()).toEqual({ path: 'gone.txt', type: 'file' });
    expect(existsSync(at('gone.txt'))).toBe(false);

    mkdirSync(at('doomed/a/b'), { recursive: true });
    writeFileSync(at('doomed/a/b/c.txt'), 'x\n');
    const folder = await remove('doomed');
    expect(folder.status).toBe(200);
    expect(await folder.json()).toEqual({ path: 'doomed', type: 'dir' });
    expect(existsSync(at('doomed'))).toBe(false);

    const missing = await remove('doomed');
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toEqual({
      code: 'not_found',
      message: 'No such file or folder: doomed',
    });
  });

  it.each([
    ['../outside.txt', 422],
    ['/etc/passwd', 422],
    ['a\\..\\b', 422],
    ['src/../../x', 422],
    ['', 422],
    ['notes/', 422],
    ['.', 400],
    ['./notes/..', 422],
    ['outside-link/victim.txt', 403],
    ['outside-link/', 422],
    ['.git', 403],
    ['.GIT/config', 403],
    ['sub/.Git', 403],
    ['git~1', 403],
    ['.git./x', 403],
  ])('refuses to delete %j (%i)', async (p, status) => {
    expect((await remove(p)).status).toBe(status);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('not yours\n');
    expect(existsSync(at('.git'))).toBe(true);
  });

  it('refuses to move anything out of the worktree, into .git, or out of .git', async () => {
    writeFileSync(at('stay.txt'), 'stay\n');
    for (const [from, to, status] of [
      ['stay.txt', '../escaped.txt', 422],
      ['stay.txt', '/tmp/escaped.txt', 422],
      ['stay.txt', 'outside-link/escaped.txt', 403],
      ['stay.txt', '.git/escaped.txt', 403],
      ['stay.txt', '.GIT', 403],
      ['stay.txt', 'sub/.git/hooks/pre-commit', 403],
      ['stay.txt', 'GIT~1', 403],
      ['outside-link/victim.txt', 'stolen.txt', 403],
      ['outside-link/victim.txt', 'outside-link/victim2.txt', 403],
      ['.git', 'not-git', 403],
      ['stay.txt', '.', 400],
      ['stay.txt', '', 422],
      [42, 'x', 422],
    ] as const) {
      const res = await move(from, to);
      expect(res.status, `${String(from)} → ${to}`).toBe(status);
    }
    expect(readFileSync(at('stay.txt'), 'utf8')).toBe('stay\n');
    expect(existsSync(path.join(temp.dir, 'escaped.txt'))).toBe(false);
    expect(existsSync(path.join(outside, 'escaped.txt'))).toBe(false);
    expect(existsSync(at('.GIT'))).toBe(false);
    expect(existsSync(at('sub/.git'))).toBe(false);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('not yours\n');
    expect(lstatSync(at('.git')).isFile()).toBe(true); // a worktree's .git is a file
  });

  it.each([
    ['../up', 422],
    ['outside-link/new', 403],
    ['.git/new', 403],
    ['deep/.GIT', 403],
    ['.', 400],
    ['', 422],
  ])('refuses to make the folder %j (%i)', async (p, status) => {
    expect((await makeFolder(p)).status).toBe(status);
    expect(existsSync(path.join(outside, 'new'))).toBe(false);
    expect(existsSync(at('deep'))).toBe(false);
  });

  it("answers 404 for another user's session and changes nothing", async () => {
    writeFileSync(at('alices.txt'), 'mine\n');
    const bob = tw.fetchAs('bob');
    const answers = [
      await bob(`/sessions/${id}/file?path=alices.txt`, { method: 'DELETE' }),
      await bob(`/sessions/${id}/file/move`, {
        method: 'POST',
        json: { from: 'alices.txt', to: 'bobs.txt' },
      }),
      await bob(`/sessions/${id}/folder`, { method: 'POST', json: { path: 'bobs-folder' } }),
      await bob(`/sessions/${id}/file`, {
        method: 'PUT',
        json: { path: 'bobs-new.txt', content: '', createOnly: true },
      }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe('not_found');
    }
    expect(readFileSync(at('alices.txt'), 'utf8')).toBe('mine\n');
    for (const p of ['bobs.txt', 'bobs-folder', 'bobs-new.txt'])
      expect(existsSync(at(p))).toBe(false);
  });
});

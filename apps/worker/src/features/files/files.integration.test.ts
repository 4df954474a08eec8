import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { listFilesResponseSchema } from '@grove/contract';
import { createSourceRepo, makeTempDir } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('files API confined to the worktree', () => {
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let id: string;
  let worktree: string;
  let alice: ReturnType<TestWorker['fetchAs']>;
  const q = (p: string) => encodeURIComponent(p);

  beforeAll(async () => {
    temp = makeTempDir('grove-files-');
    const repo = createSourceRepo(path.join(temp.dir, 'origin'), { files: 3 });
    tw = await startTestWorker();
    alice = tw.fetchAs('alice');
    const res = await alice('/sessions', { json: { repo } });
    id = ((await res.json()) as { session: { id: string } }).session.id;
    worktree = path.join(tw.dataDir, 'worktrees', id);
    // What a user (or an agent in the terminal) could leave in a worktree.
    symlinkSync('/etc', path.join(worktree, 'etc-link'));
    symlinkSync('/etc/hostname', path.join(worktree, 'hostname-link'));
    symlinkSync('README.md', path.join(worktree, 'readme-link'));
  });

  afterAll(async () => {
    await tw.close();
    tw.cleanup();
    temp.cleanup();
  });

  it('writes, reads back and lists, creating folders as needed', async () => {
    const put = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'src/new/hello.ts', content: 'export const hi = "héllo";\n' },
    });
    expect(put.status).toBe(200);
    // The version is the SHA-256 of the bytes written, the same when read back.
    const version = createHash('sha256').update('export const hi = "héllo";\n').digest('hex');
    expect(await put.json()).toEqual({ path: 'src/new/hello.ts', size: 28, version });

    const read = await alice(`/sessions/${id}/file?path=${q('src/new/hello.ts')}`);
    expect(await read.json()).toEqual({
      path: 'src/new/hello.ts',
      content: 'export const hi = "héllo";\n',
      size: 28,
      version,
    });

    const root = (await (await alice(`/sessions/${id}/files`)).json()) as {
      entries: { name: string; type: string; path: string; link?: string }[];
    };
    const names = root.entries.map((e) => e.name);
    expect(names).toContain('README.md');
    expect(names).toContain('readme-link'); // a link that stays inside is fine
    expect(names).not.toContain('.git');
    // Links that lead out are listed as what they are (so they can be deleted), never followed.
    for (const name of ['etc-link', 'hostname-link'])
      expect(root.entries.find((e) => e.name === name)).toEqual({
        name,
        path: name,
        type: 'file',
        size: 0,
        link: 'outside',
      });
    expect(root.entries[0]?.type).toBe('dir'); // folders first

    const sub = (await (await alice(`/sessions/${id}/files?path=src/new`)).json()) as {
      entries: { path: string }[];
    };
    expect(sub.entries).toEqual([
      { name: 'hello.ts', path: 'src/new/hello.ts', type: 'file', size: 28 },
    ]);
  });

  it.each([
    ['../../etc/passwd', 422],
    ['/etc/passwd', 422],
    // Literal names (a % is not decoded again): nothing is there.
    ['%2e%2e/%2e%2e/etc/passwd', 404],
    ['src/..%2f..%2fetc', 404],
    ['etc-link/passwd', 403],
    ['hostname-link', 403],
    ['.git', 403],
    ['vendor/lib/.git/config', 403],
    ['README.md/', 422],
  ])('refuses to read %s', async (p, status) => {
    const res = await alice(`/sessions/${id}/file?path=${q(p)}`);
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(text).not.toContain('root:');
  });

  it('writes over a version that changed on disk only when asked to (409 conflict otherwise)', async () => {
    const file = path.join(worktree, 'shared.txt');
    writeFileSync(file, 'first\n');
    const opened = (await (await alice(`/sessions/${id}/file?path=shared.txt`)).json()) as {
      version: string;
    };
    expect(opened.version).toMatch(/^[0-9a-f]{64}$/);
    const save = (content: string, baseVersion?: string) =>
      alice(`/sessions/${id}/file`, {
        method: 'PUT',
        json: { path: 'shared.txt', content, ...(baseVersion ? { baseVersion } : {}) },
      });
    // Unchanged on disk: saved, and the answer is the new version.
    const saved = await save('first\nmine\n', opened.version);
    expect(saved.status).toBe(200);
    const { version } = (await saved.json()) as { version: string };
    expect(version).not.toBe(opened.version);
    // The terminal (or the agent) appends meanwhile: the editor's save from `version` is refused
    // and their line is still there.
    writeFileSync(file, 'first\nmine\ntheirs\n');
    const stale = await save('first\nmine\nedited\n', version);
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as ErrorBody).error).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('changed on disk'),
    });
    expect(readFileSync(file, 'utf8')).toBe('first\nmine\ntheirs\n');
    // Deleted meanwhile: refused too, nothing recreated.
    const current = (await (await alice(`/sessions/${id}/file?path=shared.txt`)).json()) as {
      version: string;
    };
    rmSync(file);
    expect((await save('x', current.version)).status).toBe(409);
    expect(existsSync(file)).toBe(false);
    // Without a base version (an explicit overwrite) it is written as before.
    expect((await save('overwritten\n')).status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe('overwritten\n');
  });

  it('reads a BOM and CRLF line endings as they are, and writes back exactly the bytes sent', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('one\r\ntwo\r\nthree\r\n', 'utf8'),
    ]);
    writeFileSync(path.join(worktree, 'crlf-bom.txt'), bytes);
    const read = (await (await alice(`/sessions/${id}/file?path=crlf-bom.txt`)).json()) as {
      content: string;
      size: number;
      version: string;
    };
    // The BOM is in the text (U+FEFF), not dropped: the text encodes back to the file's bytes.
    expect(read.content).toBe('\uFEFFone\r\ntwo\r\nthree\r\n');
    expect(read.size).toBe(bytes.length);
    expect(Buffer.from(read.content, 'utf8').equals(bytes)).toBe(true);
    expect(read.version).toBe(createHash('sha256').update(bytes).digest('hex'));
    // Written back with one line edited: those bytes, BOM and CRs included, nothing normalized.
    const edited = '\uFEFFone\r\ntwo!\r\nthree\r\n';
    const put = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'crlf-bom.txt', content: edited, baseVersion: read.version },
    });
    expect(put.status).toBe(200);
    const onDisk = readFileSync(path.join(worktree, 'crlf-bom.txt'));
    expect(onDisk.equals(Buffer.from(edited, 'utf8'))).toBe(true);
    expect(onDisk.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    // The version it answers is the one a read finds: no "changed on disk" after a save.
    const again = (await (await alice(`/sessions/${id}/file?path=crlf-bom.txt`)).json()) as {
      content: string;
      version: string;
    };
    expect(again.content).toBe(edited);
    expect(again.version).toBe(((await put.json()) as { version: string }).version);
  });

  it('reads and writes files whose names hold a %, as the names they are', async () => {
    mkdirSync(path.join(worktree, '%2e%2e'), { recursive: true });
    writeFileSync(path.join(worktree, '%2e%2e', 'inside.txt'), 'in a folder named %2e%2e\n');
    const inside = await alice(`/sessions/${id}/file?path=${q('%2e%2e/inside.txt')}`);
    expect(inside.status).toBe(200);
    expect(((await inside.json()) as { content: string }).content).toBe(
      'in a folder named %2e%2e\n',
    );
    const written = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'pct%2e.txt', content: 'percent\n' },
    });
    expect(written.status).toBe(200);
    expect(readFileSync(path.join(worktree, 'pct%2e.txt'), 'utf8')).toBe('percent\n');
    expect(existsSync(path.join(worktree, 'pct..txt'))).toBe(false);
  });

  it('lists no name a request could not name (newline, backslash): every entry opens', async () => {
    mkdirSync(path.join(worktree, 'odd'), { recursive: true });
    for (const name of ['new\nline.txt', 'back\\slash.txt', 'plain.txt'])
      writeFileSync(path.join(worktree, 'odd', name), 'x\n');
    const listed = (await (await alice(`/sessions/${id}/files?path=odd`)).json()) as {
      entries: { path: string }[];
    };
    expect(listed.entries.map((e) => e.path)).toEqual(['odd/plain.txt']);
    for (const entry of listed.entries)
      expect((await alice(`/sessions/${id}/file?path=${q(entry.path)}`)).status).toBe(200);
  });

  it('refuses to list or write through a link to /etc, and to write into .git', async () => {
    expect((await alice(`/sessions/${id}/files?path=etc-link`)).status).toBe(403);
    for (const p of ['etc-link/grove-test', '.git/config', '.git', '../outside.txt']) {
      const res = await alice(`/sessions/${id}/file`, {
        method: 'PUT',
        json: { path: p, content: 'x' },
      });
      expect([403, 422], p).toContain(res.status);
    }
    const readme = await alice(`/sessions/${id}/file?path=readme-link`);
    expect(readme.status).toBe(200);
    // Answered under the name asked for, not the link's target (and a write likewise).
    expect(((await readme.json()) as { path: string }).path).toBe('readme-link');
    const written = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'readme-link', content: '# Through the link\n' },
    });
    expect(((await written.json()) as { path: string }).path).toBe('readme-link');
    expect(readFileSync(path.join(worktree, 'README.md'), 'utf8')).toBe('# Through the link\n');
    // A nested repository's insides too (its hooks would run), and a file path is no folder.
    for (const [p, status] of [
      ['sub/.git/hooks/pre-commit', 403],
      ['new.txt/', 422],
    ] as const) {
      const res = await alice(`/sessions/${id}/file`, {
        method: 'PUT',
        json: { path: p, content: 'x' },
      });
      expect(res.status, p).toBe(status);
    }
    expect(existsSync(path.join(worktree, 'sub', '.git'))).toBe(false);
    expect(existsSync(path.join(worktree, 'new.txt'))).toBe(false);
  });

  it('refuses huge and binary files with clear errors', async () => {
    mkdirSync(path.join(worktree, 'big'), { recursive: true });
    writeFileSync(path.join(worktree, 'big', 'huge.txt'), 'x'.repeat(1024 * 1024 + 1));
    writeFileSync(path.join(worktree, 'big', 'image.bin'), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    const huge = await alice(`/sessions/${id}/file?path=big/huge.txt`);
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as ErrorBody).error.code).toBe('file_too_large');
    const binary = await alice(`/sessions/${id}/file?path=big/image.bin`);
    expect(binary.status).toBe(415);
    expect(((await binary.json()) as ErrorBody).error.code).toBe('binary_file');
    const tooBig = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'big/write.txt', content: 'é'.repeat(600 * 1024) },
    });
    expect(tooBig.status).toBe(413);
    // One byte over in plain ASCII is the same refusal (not a validation error), said in MB.
    const justOver = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'big/write.txt', content: 'x'.repeat(1024 * 1024 + 1) },
    });
    expect(justOver.status).toBe(413);
    expect(((await justOver.json()) as ErrorBody).error).toMatchObject({
      code: 'file_too_large',
      message: 'Content is 1.1 MB; at most 1 MB can be written',
    });
    expect(existsSync(path.join(worktree, 'big', 'write.txt'))).toBe(false);
    // A name longer than the file system takes is a clear 422, not a 500.
    const longName = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: `big/${'n'.repeat(300)}.txt`, content: 'x' },
    });
    expect(longName.status).toBe(422);
    expect(JSON.stringify(await longName.json())).toContain(
      'path has a name longer than 255 bytes',
    );
  });

  it('cuts a folder of more than 5,000 entries at its first 5,000 in listing order, and says so', async () => {
    interface Listing {
      entries: { name: string; path: string; type: string; size: number; link?: string }[];
      truncated: boolean;
      total: number;
    }
    const many = path.join(worktree, 'many');
    mkdirSync(path.join(many, '0000-first'), { recursive: true });
    mkdirSync(path.join(many, 'zzzz-last'));
    const files = Array.from({ length: 6000 }, (_, i) => `f-${String(i).padStart(4, '0')}.txt`);
    for (const name of files) writeFileSync(path.join(many, name), 'x\n');
    // A link to a folder inside is a folder; one that leads out a file marked as such.
    symlinkSync('0000-first', path.join(many, 'mmmm-dir-link'));
    symlinkSync('/etc', path.join(many, 'a-out-link'));
    const list = async (dir: string) => {
      const res = await alice(`/sessions/${id}/files?path=${q(dir)}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Listing;
      expect(listFilesResponseSchema.safeParse(body).success).toBe(true);
      return body;
    };

    const cut = await list('many');
    expect(cut.entries).toHaveLength(5000);
    expect(cut.truncated).toBe(true);
    expect(cut.total).toBe(6004);
    // Folders first (whatever readdir's order), then files by name: the same 5,000 every time.
    expect(cut.entries.slice(0, 4)).toEqual([
      { name: '0000-first', path: 'many/0000-first', type: 'dir', size: 0 },
      { name: 'mmmm-dir-link', path: 'many/mmmm-dir-link', type: 'dir', size: 0 },
      { name: 'zzzz-last', path: 'many/zzzz-last', type: 'dir', size: 0 },
      { name: 'a-out-link', path: 'many/a-out-link', type: 'file', size: 0, link: 'outside' },
    ]);
    expect(cut.entries.slice(4).map((e) => e.name)).toEqual(files.slice(0, 4996));
    expect(cut.entries.at(-1)).toEqual({
      name: 'f-4995.txt',
      path: 'many/f-4995.txt',
      type: 'file',
      size: 2,
    });

    // Exactly 5,000 is not cut; a folder under the limit neither.
    for (const name of files.slice(4996)) rmSync(path.join(many, name));
    const whole = await list('many');
    expect(whole).toMatchObject({ truncated: false, total: 5000 });
    expect(whole.entries).toHaveLength(5000);
    expect(whole.entries.at(-1)?.name).toBe('f-4995.txt');
    expect(await list('many/0000-first')).toEqual({ entries: [], truncated: false, total: 0 });
    rmSync(many, { recursive: true });
  });

  it("answers 404 for another user's session", async () => {
    const bob = tw.fetchAs('bob');
    expect((await bob(`/sessions/${id}/files`)).status).toBe(404);
    expect((await bob(`/sessions/${id}/file?path=README.md`)).status).toBe(404);
    const put = await bob(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'x', content: 'y' },
    });
    expect(put.status).toBe(404);
  });
});

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { SavedWorkResponse } from '@grove/contract';
import { createSourceRepo, git, makeTempDir } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';
import { wipRef } from './wip-snapshots';

interface ErrorBody {
  error: { code: string; message: string; details?: { path: string }[] };
}

describe('update from base and WIP snapshots', () => {
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let origin: string;
  let alice: ReturnType<TestWorker['fetchAs']>;

  const create = async () => {
    const res = await alice('/sessions', { json: { repo: origin } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { session: { id: string } }).session.id;
  };
  const write = (id: string, p: string, content: string) =>
    alice(`/sessions/${id}/file`, { method: 'PUT', json: { path: p, content } });
  /** Restores `from`'s saved work into `into`: the answer names exactly these files, with this content on disk. */
  const expectRestored = async (into: string, from: string, files: Record<string, string>) => {
    const restored = await alice(`/sessions/${into}/git/restore-wip`, { json: { from } });
    expect(restored.status).toBe(200);
    expect(((await restored.json()) as { files: string[] }).files.sort()).toEqual(
      Object.keys(files).sort(),
    );
    const worktree = path.join(tw.dataDir, 'worktrees', into);
    for (const [file, content] of Object.entries(files))
      expect(readFileSync(path.join(worktree, file), 'utf8'), file).toBe(content);
  };
  const mirrorPath = () => {
    const dir = path.join(tw.dataDir, 'mirrors');
    return path.join(
      dir,
      readdirSync(dir).find((n) => n.endsWith('.git'))!,
    );
  };

  beforeAll(async () => {
    temp = makeTempDir('grove-update-');
    origin = createSourceRepo(path.join(temp.dir, 'origin'));
    // Fetch on every create: the test moves the origin between steps.
    tw = await startTestWorker({ GROVE_MIRROR_FRESH_SECONDS: '0' });
    alice = tw.fetchAs('alice');
  });

  afterAll(async () => {
    await tw.close();
    tw.cleanup();
    temp.cleanup();
  });

  it('reports a conflicting update, leaves the worktree usable, and merges a clean one', async () => {
    const id = await create();
    const worktree = path.join(tw.dataDir, 'worktrees', id);
    await write(id, 'README.md', '# changed in the session\n');
    await alice(`/sessions/${id}/git/commit`, { json: { message: 'session edit' } });
    const head = git(worktree, ['rev-parse', 'HEAD']).trim();

    writeFileSync(path.join(origin, 'README.md'), '# changed upstream\n');
    git(origin, ['commit', '--quiet', '-am', 'upstream edit']);

    const status = (await (await alice(`/sessions/${id}/git/status`)).json()) as { behind: number };
    expect(status.behind).toBe(0); // not fetched yet: update fetches

    for (const strategy of ['merge', 'rebase']) {
      const res = await alice(`/sessions/${id}/git/update`, { json: { strategy } });
      expect(res.status, strategy).toBe(409);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('update_conflict');
      expect(body.error.details?.map((d) => d.path)).toEqual(['README.md']);
      expect(body.error.message).toBe(
        'Updating from main conflicts in README.md; nothing was changed',
      );
      // Nothing half-done: same HEAD, no conflict markers, no merge or rebase in progress.
      expect(git(worktree, ['rev-parse', 'HEAD']).trim()).toBe(head);
      expect(git(worktree, ['status', '--porcelain']).trim()).toBe('');
      expect(readFileSync(path.join(worktree, 'README.md'), 'utf8')).toBe(
        '# changed in the session\n',
      );
      const session = (await (await alice(`/sessions/${id}`)).json()) as {
        session: { status: string };
      };
      expect(session.session.status).toBe('active');
    }
    // Still usable: edit and commit.
    expect((await write(id, 'after.txt', 'still works\n')).status).toBe(200);
    expect((await alice(`/sessions/${id}/git/commit`, { json: { message: 'more' } })).status).toBe(
      200,
    );

    // A session whose change does not collide merges cleanly.
    const clean = await create();
    writeFileSync(path.join(origin, 'upstream.txt'), 'new upstream file\n');
    git(origin, ['add', '-A']);
    git(origin, ['commit', '--quiet', '-m', 'another upstream change']);
    await write(clean, 'mine.txt', 'mine\n');
    await alice(`/sessions/${clean}/git/commit`, { json: { message: 'mine' } });
    const dirty = await write(clean, 'mine.txt', 'uncommitted\n');
    expect(dirty.status).toBe(200);
    const refused = await alice(`/sessions/${clean}/git/update`, { json: {} });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorBody).error.message).toMatch(/Commit or discard/);
    await alice(`/sessions/${clean}/git/commit`, { json: { message: 'mine again' } });
    const updated = await alice(`/sessions/${clean}/git/update`, { json: { strategy: 'rebase' } });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({
      updated: true,
      strategy: 'rebase',
      ahead: 2,
      behind: 0,
    });
    expect(existsSync(path.join(tw.dataDir, 'worktrees', clean, 'upstream.txt'))).toBe(true);
  });

  it('aborts a merge cut off by a restart, so the worktree is usable again', async () => {
    const id = await create();
    const worktree = path.join(tw.dataDir, 'worktrees', id);
    await write(id, 'README.md', '# session side\n');
    await alice(`/sessions/${id}/git/commit`, { json: { message: 'side' } });
    writeFileSync(path.join(origin, 'README.md'), '# upstream side again\n');
    git(origin, ['commit', '--quiet', '-am', 'upstream again']);
    // Simulate a worker killed mid-update: fetched, merge stopped on a conflict, row updating.
    git(mirrorPath(), ['fetch', '--quiet', 'origin']);
    expect(() => git(worktree, ['merge', '--no-edit', 'refs/remotes/origin/main'])).toThrow();
    tw.worker.db.prepare("UPDATE sessions SET status = 'updating' WHERE id = ?").run(id);
    const dataDir = tw.dataDir;
    await tw.close();
    const removeDataDir = tw.cleanup;
    tw = {
      ...(await startTestWorker({ GROVE_MIRROR_FRESH_SECONDS: '0' }, dataDir)),
      cleanup: removeDataDir,
    };
    alice = tw.fetchAs('alice');

    expect(git(worktree, ['status', '--porcelain']).trim()).toBe('');
    const session = (await (await alice(`/sessions/${id}`)).json()) as {
      session: { status: string };
    };
    expect(session.session.status).toBe('active');
    expect((await write(id, 'ok.txt', 'usable\n')).status).toBe(200);
  });

  it('keeps uncommitted work (untracked too) in refs/grove/wip/<id> on delete, and restores it', async () => {
    const id = await create();
    await write(id, 'README.md', '# edited, never committed\n');
    await write(id, 'notes/untracked.txt', 'a brand new file\n');
    const del = await alice(`/sessions/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(existsSync(path.join(tw.dataDir, 'worktrees', id))).toBe(false);

    const mirror = mirrorPath();
    expect(git(mirror, ['show', `${wipRef(id)}:notes/untracked.txt`])).toBe('a brand new file\n');
    expect(git(mirror, ['show', `${wipRef(id)}:README.md`])).toBe('# edited, never committed\n');

    // Another user cannot restore it; the owner can, into a new session.
    const next = await create();
    const bob = tw.fetchAs('bob');
    expect((await bob(`/sessions/${next}/git/restore-wip`, { json: { from: id } })).status).toBe(
      404,
    );
    await expectRestored(next, id, {
      'README.md': '# edited, never committed\n',
      'notes/untracked.txt': 'a brand new file\n',
    });

    // A clean session leaves no WIP ref behind.
    const cleanId = await create();
    await alice(`/sessions/${cleanId}`, { method: 'DELETE' });
    expect(git(mirror, ['for-each-ref', wipRef(cleanId)]).trim()).toBe('');
  });

  it('copes with names git refuses (a .GIT folder made in a terminal): clear commit error, diff and delete work', async () => {
    const id = await create();
    const worktree = path.join(tw.dataDir, 'worktrees', id);
    // What `mkdir .GIT sub/git~1` in a terminal does; the files API refuses these names.
    mkdirSync(path.join(worktree, '.GIT'));
    writeFileSync(path.join(worktree, '.GIT', 'x'), 'x\n');
    mkdirSync(path.join(worktree, 'sub', 'git~1'), { recursive: true });
    writeFileSync(path.join(worktree, 'sub', 'git~1', 'y'), 'y\n');
    await write(id, 'kept.txt', 'kept\n');
    for (const refused of ['.GIT/x', 'sub/Git~1/y', '.git./z'])
      expect((await write(id, refused, 'no')).status, refused).toBe(403);
    const listing = (await (await alice(`/sessions/${id}/files`)).json()) as {
      entries: { name: string }[];
    };
    expect(listing.entries.map((e) => e.name)).not.toContain('.GIT');

    const diff = await alice(`/sessions/${id}/git/diff`);
    expect(diff.status).toBe(200);
    expect(((await diff.json()) as { files: { path: string }[] }).files.map((f) => f.path)).toEqual(
      ['kept.txt'],
    );
    const commit = await alice(`/sessions/${id}/git/commit`, { json: { message: 'm' } });
    expect(commit.status).toBe(422);
    const body = (await commit.json()) as ErrorBody;
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toContain('.GIT');
    expect(body.error.details?.map((d) => d.path)).toEqual(['.GIT', 'sub/git~1']);

    // Delete keeps what git can keep and goes through (it stayed failed for good before).
    expect((await alice(`/sessions/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(worktree)).toBe(false);
    expect(git(mirrorPath(), ['show', `${wipRef(id)}:kept.txt`])).toBe('kept\n');
  });

  it('keeps commits that were never pushed on delete (with their history), and restores them', async () => {
    const id = await create();
    await write(id, 'committed.txt', 'committed, never pushed\n');
    const commit = await alice(`/sessions/${id}/git/commit`, {
      json: { message: 'unpushed work' },
    });
    expect(commit.status).toBe(200);
    const head = git(path.join(tw.dataDir, 'worktrees', id), ['rev-parse', 'HEAD']).trim();
    await write(id, 'loose.txt', 'and one uncommitted file\n');
    expect((await alice(`/sessions/${id}`, { method: 'DELETE' })).status).toBe(204);

    const mirror = mirrorPath();
    // The branch is gone, the commit is not: it is the snapshot's second parent.
    expect(git(mirror, ['for-each-ref', `refs/heads/session/${id}`]).trim()).toBe('');
    expect(git(mirror, ['rev-parse', `${wipRef(id)}^2`]).trim()).toBe(head);
    expect(git(mirror, ['log', '--format=%s', `${wipRef(id)}^2`])).toContain('unpushed work');
    expect(git(mirror, ['show', `${wipRef(id)}:committed.txt`])).toBe('committed, never pushed\n');

    const next = await create();
    const savedWork = async (as: typeof alice, session: string) =>
      ((await (await as(`/sessions/${session}/git/saved-work`)).json()) as SavedWorkResponse).saved;
    const listed = (await savedWork(alice, next)).find((s) => s.from === id);
    expect(listed).toMatchObject({ restoredAt: null });
    expect(listed!.files.sort()).toEqual(['committed.txt', 'loose.txt']);
    // Bob sees none of Alice's saved work, not even through his own session of the repository.
    const bob = tw.fetchAs('bob');
    const bobs = (
      (await (await bob('/sessions', { json: { repo: origin } })).json()) as {
        session: { id: string };
      }
    ).session.id;
    expect(await savedWork(bob, bobs)).toEqual([]);
    expect((await bob(`/sessions/${next}/git/saved-work`)).status).toBe(404);

    await expectRestored(next, id, {
      'committed.txt': 'committed, never pushed\n',
      'loose.txt': 'and one uncommitted file\n',
    });
    expect((await savedWork(alice, next)).find((s) => s.from === id)?.restoredAt).toEqual(
      expect.any(String),
    );

    // Pushed and clean: everything is on the remote, so no snapshot is written.
    const pushedId = await create();
    await write(pushedId, 'pushed.txt', 'on the remote\n');
    await alice(`/sessions/${pushedId}/git/commit`, { json: { message: 'pushed work' } });
    expect((await alice(`/sessions/${pushedId}/git/push`, { json: {} })).status).toBe(200);
    expect((await alice(`/sessions/${pushedId}`, { method: 'DELETE' })).status).toBe(204);
    expect(git(mirror, ['for-each-ref', wipRef(pushedId)]).trim()).toBe('');
  });

  it('keeps unpushed commits whose base branch is gone from the remote', async () => {
    const id = await create();
    await write(id, 'orphan.txt', 'committed on a base that went away\n');
    await alice(`/sessions/${id}/git/commit`, { json: { message: 'work without a base' } });
    const head = git(path.join(tw.dataDir, 'worktrees', id), ['rev-parse', 'HEAD']).trim();
    await write(id, 'loose.txt', 'uncommitted too\n');
    const mirror = mirrorPath();
    const base = git(mirror, ['rev-parse', 'refs/remotes/origin/main']).trim();
    // The base branch was deleted upstream and pruned from the mirror: no fork point to diff from.
    git(mirror, ['update-ref', '-d', 'refs/remotes/origin/main']);
    try {
      expect((await alice(`/sessions/${id}`, { method: 'DELETE' })).status).toBe(204);
      // HEAD is the snapshot's parent: the commit stays reachable, the loose file is in it.
      expect(git(mirror, ['rev-parse', `${wipRef(id)}^1`]).trim()).toBe(head);
      expect(git(mirror, ['log', '--format=%s', wipRef(id)])).toContain('work without a base');
      expect(git(mirror, ['show', `${wipRef(id)}:orphan.txt`])).toBe(
        'committed on a base that went away\n',
      );
      expect(git(mirror, ['show', `${wipRef(id)}:loose.txt`])).toBe('uncommitted too\n');
    } finally {
      git(mirror, ['update-ref', 'refs/remotes/origin/main', base]);
    }
  });
});

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createSourceRepo, git, makeTempDir } from '@grove/testkit';
import { secretKey, signWorkerToken } from '@grove/worker-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, TEST_SECRET, type TestWorker } from '../../testing/harness';
import { resolveRepoSource } from './repo-source';

function onlyMirror(dataDir: string): string {
  const mirrors = readdirSync(path.join(dataDir, 'mirrors')).filter((name) =>
    name.endsWith('.git'),
  );
  expect(mirrors).toHaveLength(1);
  return path.join(dataDir, 'mirrors', mirrors[0]!);
}

interface SessionBody {
  session: { id: string; status: string; branchName: string; baseBranch: string; repo: string };
}

describe('sessions on real git worktrees', () => {
  let tw: TestWorker & { cleanup: () => void };
  let repoDir: string;
  let temp: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    temp = makeTempDir('grove-sessions-');
    repoDir = createSourceRepo(path.join(temp.dir, 'origin'), { files: 20, branches: ['develop'] });
    tw = await startTestWorker({ GROVE_MAX_SESSIONS_PER_REPO: '10' });
  });

  afterAll(async () => {
    await tw.close();
    tw.cleanup();
    temp.cleanup();
  });

  it('creates, lists, gets and deletes a session backed by a worktree', async () => {
    const alice = tw.fetchAs('alice');
    const created = await alice('/sessions', { json: { repo: repoDir, name: 'first' } });
    expect(created.status).toBe(201);
    const { session } = (await created.json()) as SessionBody;
    expect(session).toMatchObject({
      status: 'active',
      baseBranch: 'main',
      branchName: `session/${session.id}`,
      repo: repoDir,
    });

    const worktree = path.join(tw.dataDir, 'worktrees', session.id);
    expect(existsSync(path.join(worktree, 'README.md'))).toBe(true);
    expect(git(worktree, ['rev-parse', '--abbrev-ref', 'HEAD']).trim()).toBe(
      `session/${session.id}`,
    );
    // The token-free remote is the only thing in the mirror's config about the origin.
    expect(git(worktree, ['config', '--get', 'remote.origin.url']).trim()).toBe(
      `file://${repoDir}`,
    );

    const list = (await (await alice('/sessions')).json()) as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).toContain(session.id);
    const got = await alice(`/sessions/${session.id}`);
    expect(got.status).toBe(200);

    const deleted = await alice(`/sessions/${session.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(existsSync(worktree)).toBe(false);
    // The branch went with it (never pushed) and git forgot the worktree.
    const mirror = onlyMirror(tw.dataDir);
    expect(git(mirror, ['branch', '--list', `session/${session.id}`]).trim()).toBe('');
    expect(git(mirror, ['worktree', 'list'])).not.toContain(session.id);
    expect((await alice(`/sessions/${session.id}`)).status).toBe(404);
  });

  it('starts from the requested base branch and refuses a missing one with 422', async () => {
    const alice = tw.fetchAs('alice');
    const res = await alice('/sessions', {
      json: { repo: `file://${repoDir}`, baseBranch: 'develop' },
    });
    expect(res.status).toBe(201);
    const { session } = (await res.json()) as SessionBody;
    expect(existsSync(path.join(tw.dataDir, 'worktrees', session.id, 'develop.txt'))).toBe(true);
    await alice(`/sessions/${session.id}`, { method: 'DELETE' });

    const missing = await alice('/sessions', { json: { repo: repoDir, baseBranch: 'nope' } });
    expect(missing.status).toBe(422);
    const body = (await missing.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details[0]?.path).toBe('baseBranch');
    // A refused create leaves no row behind.
    const list = (await (await alice('/sessions')).json()) as { sessions: unknown[] };
    expect(list.sessions).toHaveLength(0);
  });

  it('says plainly when a local repository path is missing or not a repository', async () => {
    const alice = tw.fetchAs('alice');
    const notRepo = path.join(repoDir, '..', 'plain-folder');
    mkdirSync(notRepo, { recursive: true });
    for (const [repo, expected] of [
      [
        path.join(repoDir, '..', 'no-such-folder'),
        /^There is no folder \/.*no-such-folder on the worker$/,
      ],
      [notRepo, /^\/.*plain-folder is not a git repository$/],
    ] as const) {
      const res = await alice('/sessions', { json: { repo } });
      expect(res.status, repo).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('repo_unavailable');
      expect(body.error.message).toMatch(expected);
    }
  });

  it('refuses an empty repository and leaves no half-built mirror behind', async () => {
    const alice = tw.fetchAs('alice');
    const empty = path.join(repoDir, '..', 'empty-repo');
    mkdirSync(empty, { recursive: true });
    git(empty, ['init', '--quiet']);
    const res = await alice('/sessions', { json: { repo: empty } });
    const body = (await res.json()) as { session?: { id: string } };
    // Accepted and created in the background, or refused at once: either way it fails...
    if (res.status === 201) {
      await expect
        .poll(async () => {
          const got = await alice(`/sessions/${body.session!.id}`);
          return ((await got.json()) as { session: { status: string } }).session.status;
        })
        .toBe('failed');
    } else {
      expect(res.status).toBe(422);
    }
    // ...and the mirrors folder holds no temporary build of it.
    const left = readdirSync(path.join(tw.dataDir, 'mirrors')).filter((n) => n.startsWith('.tmp-'));
    expect(left).toEqual([]);
  });

  it('keeps 20 parallel creates within the limit of 10 and the mirror intact', async () => {
    const bob = tw.fetchAs('bob');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        bob('/sessions', { json: { repo: repoDir, name: `p${i}` } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const limited = results.find((r) => r.status === 429)!;
    const body = (await limited.json()) as {
      error: { code: string; retryAfter: number; limit: number; remaining: number; reset: number };
    };
    expect(body.error).toMatchObject({ code: 'session_limit', limit: 10, remaining: 0 });
    expect(body.error.retryAfter).toBeGreaterThan(0);
    expect(limited.headers.get('retry-after')).toBe(String(body.error.retryAfter));

    const mirror = onlyMirror(tw.dataDir);
    // fsck exits non-zero on any corruption; git's own lock files must not linger.
    git(mirror, ['fsck', '--no-progress', '--no-dangling']);
    expect(git(mirror, ['worktree', 'list']).trim().split('\n')).toHaveLength(11);
    const sessions = (
      (await (await bob('/sessions')).json()) as { sessions: { id: string; status: string }[] }
    ).sessions;
    expect(sessions.filter((s) => s.status === 'active')).toHaveLength(10);
    await Promise.all(
      sessions.map((s) =>
        bob(`/sessions/${s.id}`, { method: 'DELETE' }).then((r) => expect(r.status).toBe(204)),
      ),
    );
  });

  it('answers the same result for a repeated Idempotency-Key and 409 for a different body', async () => {
    const carol = tw.fetchAs('carol');
    const headers = { 'Idempotency-Key': 'create-once-1' };
    const [a, b] = await Promise.all([
      carol('/sessions', { json: { repo: repoDir }, headers }),
      carol('/sessions', { json: { repo: repoDir }, headers }),
    ]);
    const c = await carol('/sessions', { json: { repo: repoDir }, headers });
    const ids = await Promise.all(
      [a, b, c].map(async (r) => ((await r.json()) as SessionBody).session.id),
    );
    expect(new Set(ids).size).toBe(1);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    const other = await carol('/sessions', { json: { repo: repoDir, name: 'different' }, headers });
    expect(other.status).toBe(409);
    // The same key from another user is a different request.
    const dave = await tw.fetchAs('dave')('/sessions', { json: { repo: repoDir }, headers });
    expect(dave.status).toBe(201);
    expect(((await dave.json()) as SessionBody).session.id).not.toBe(ids[0]);
    // Deleted since: a late retry is told so, and makes no new session.
    expect((await carol(`/sessions/${ids[0]}`, { method: 'DELETE' })).status).toBe(204);
    const late = await carol('/sessions', { json: { repo: repoDir }, headers });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { message: string } }).error.message).toContain(
      'has been deleted',
    );
    const left = (await (await carol('/sessions')).json()) as { sessions: unknown[] };
    expect(left.sessions).toHaveLength(0);
    // A key past its time is forgotten: the same request makes a new session.
    tw.worker.sessions.store.pruneIdempotent(0);
    const again = await carol('/sessions', { json: { repo: repoDir }, headers });
    expect(again.status).toBe(201);
  });

  it("hides another user's session behind 404", async () => {
    const erin = tw.fetchAs('erin');
    const { session } = (await (
      await erin('/sessions', { json: { repo: repoDir } })
    ).json()) as SessionBody;
    const mallory = tw.fetchAs('mallory');
    expect((await mallory(`/sessions/${session.id}`)).status).toBe(404);
    expect((await mallory(`/sessions/${session.id}`, { method: 'DELETE' })).status).toBe(404);
    const list = (await (await mallory('/sessions')).json()) as { sessions: unknown[] };
    expect(list.sessions).toHaveLength(0);
    expect((await erin(`/sessions/${session.id}`)).status).toBe(200);
  });

  it('refuses unsigned, wrongly signed and replayed-elsewhere requests with 401', async () => {
    const alice = tw.fetchAs('alice');
    for (const res of [
      await alice('/sessions', { unsigned: true }),
      await alice('/sessions', { headers: { authorization: 'Bearer not-a-jwt' }, unsigned: true }),
      await alice('/sessions', { tokenPath: '/other' }),
    ]) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    expect((await fetch(`${tw.baseUrl}/health`)).status).toBe(200);
  });

  it('accepts a token once, and only with the body it was signed for', async () => {
    const key = secretKey(TEST_SECRET);
    const send = (token: string, body?: string) =>
      fetch(`${tw.baseUrl}/sessions`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body ?? null,
      });
    const read = await signWorkerToken(
      key,
      { userId: 'heidi' },
      { method: 'GET', path: '/sessions' },
    );
    expect((await send(read)).status).toBe(200);
    const again = await send(read);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    const body = JSON.stringify({ repo: repoDir, name: 'signed' });
    const sign = (signed?: string) =>
      signWorkerToken(
        key,
        { userId: 'heidi' },
        { method: 'POST', path: '/sessions', body: signed },
      );
    // Another body, a body on a token signed without one, and the same JSON re-spaced.
    for (const [signed, sent] of [
      [body, JSON.stringify({ repo: repoDir, name: 'tampered' })],
      [undefined, body],
      [body, JSON.stringify({ repo: repoDir, name: 'signed' }, null, 1)],
    ] as const)
      expect((await send(await sign(signed), sent)).status).toBe(401);
    const list = (await (await tw.fetchAs('heidi')('/sessions')).json()) as { sessions: unknown[] };
    expect(list.sessions).toHaveLength(0);
    expect((await send(await sign(body), body)).status).toBe(201);
  });

  it('validates bodies with field details and refuses local repos when not allowed', async () => {
    const alice = tw.fetchAs('alice');
    const bad = await alice('/sessions', { json: { repo: 'not a repo!' } });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details[0]?.path).toBe('repo');
    const notJson = await alice('/sessions', {
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);

    const strict = await startTestWorker({ GROVE_ALLOW_LOCAL_REPOS: '0' });
    try {
      const refused = await strict.fetchAs('alice')('/sessions', { json: { repo: repoDir } });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'local_repos_disabled',
      );
    } finally {
      await strict.close();
      strict.cleanup();
    }
  });

  it('fetches the mirror again when the origin moved on', async () => {
    const worker = await startTestWorker({ GROVE_MIRROR_FRESH_SECONDS: '0' });
    try {
      const alice = worker.fetchAs('alice');
      const first = (await (
        await alice('/sessions', { json: { repo: repoDir } })
      ).json()) as SessionBody;
      writeFileSync(path.join(repoDir, 'later.txt'), 'later\n');
      git(repoDir, ['add', 'later.txt']);
      git(repoDir, ['commit', '--quiet', '-m', 'later']);
      const second = (await (
        await alice('/sessions', { json: { repo: repoDir } })
      ).json()) as SessionBody;
      expect(
        existsSync(path.join(worker.dataDir, 'worktrees', first.session.id, 'later.txt')),
      ).toBe(false);
      expect(
        existsSync(path.join(worker.dataDir, 'worktrees', second.session.id, 'later.txt')),
      ).toBe(true);
    } finally {
      await worker.close();
      worker.cleanup();
    }
  });
});

describe('create progress', () => {
  it('reports the fetch progress of a large repository while the session is being created', async () => {
    const temp = makeTempDir('grove-progress-');
    // Incompressible content, so the first fetch takes long enough to watch.
    const origin = createSourceRepo(path.join(temp.dir, 'origin'), { files: 1 });
    for (let d = 0; d < 20; d++) {
      mkdirSync(path.join(origin, `blob${d}`));
      for (let f = 0; f < 100; f++)
        writeFileSync(path.join(origin, `blob${d}`, `${f}.bin`), randomBytes(4096));
    }
    git(origin, ['add', '-A']);
    git(origin, ['commit', '--quiet', '-m', 'blobs']);
    const tw = await startTestWorker();
    try {
      const alice = tw.fetchAs('alice');
      const seen: { stage: string; percent: number }[] = [];
      let done = false;
      const creating = alice('/sessions', { json: { repo: origin } }).finally(() => (done = true));
      while (!done) {
        const { sessions } = (await (await alice('/sessions')).json()) as {
          sessions: { status: string; progress?: { stage: string; percent: number } }[];
        };
        for (const s of sessions) if (s.status === 'creating' && s.progress) seen.push(s.progress);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const created = await creating;
      expect(created.status).toBe(201);
      const { session } = (await created.json()) as { session: { progress?: unknown } };
      expect(session.progress).toBeUndefined();
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((p) => p.percent >= 0 && p.percent <= 100 && p.stage.length > 0)).toBe(
        true,
      );
    } finally {
      await tw.close();
      tw.cleanup();
      temp.cleanup();
    }
  });
});

describe('a session while it is being created', () => {
  it('shows the base branch it starts from, and refuses DELETE with invalid_transition', async () => {
    const temp = makeTempDir('grove-creating-');
    // A default branch that is not `main`, so an empty or guessed name shows.
    const origin = createSourceRepo(path.join(temp.dir, 'origin'), {
      files: 1,
      defaultBranch: 'trunk',
      branches: ['develop'],
    });
    const tw = await startTestWorker();
    try {
      const alice = tw.fetchAs('alice');
      const { mirrors } = tw.worker.sessions;
      const key = resolveRepoSource(origin, {
        githubUrl: 'https://github.com',
        allowLocalRepos: true,
      }).key;
      // Holding the repository's lock keeps a create `creating` (it waits to fetch).
      const held = async <T>(work: () => Promise<T>): Promise<T> => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const lock = mirrors.withLock(key, () => {
          locked();
          return gate;
        });
        await isLocked;
        try {
          return await work();
        } finally {
          release();
          await lock;
        }
      };
      const whileCreating = async (body: Record<string, unknown>) => {
        let response!: Promise<Response>;
        const seen = await held(async () => {
          response = alice('/sessions', { json: { repo: origin, ...body } });
          let listed: { id: string; status: string; baseBranch: string } | undefined;
          await expect
            .poll(async () => {
              const { sessions } = (await (await alice('/sessions')).json()) as {
                sessions: { id: string; status: string; baseBranch: string }[];
              };
              listed = sessions.find((s) => s.status === 'creating');
              return listed;
            })
            .toBeDefined();
          const got = (await (await alice(`/sessions/${listed!.id}`)).json()) as SessionBody;
          const deleted = await alice(`/sessions/${listed!.id}`, { method: 'DELETE' });
          return {
            listed: listed!,
            got: got.session,
            deleted: { status: deleted.status, body: await deleted.json() },
          };
        });
        const created = await response;
        expect(created.status).toBe(201);
        return { ...seen, created: ((await created.json()) as SessionBody).session };
      };

      // The first create of the repository (no mirror yet) and one with a mirror there.
      for (const round of ['no mirror yet', 'mirror there']) {
        const { listed, got, deleted, created } = await whileCreating({});
        expect(listed.baseBranch, round).toBe('trunk');
        expect(got, round).toMatchObject({ status: 'creating', baseBranch: 'trunk' });
        expect(deleted, round).toEqual({
          status: 409,
          body: {
            error: { code: 'invalid_transition', message: 'Session is still being created' },
          },
        });
        expect(created, round).toMatchObject({ id: got.id, status: 'active', baseBranch: 'trunk' });
        const worktree = path.join(tw.dataDir, 'worktrees', created.id);
        expect(git(worktree, ['rev-parse', 'HEAD'])).toBe(git(origin, ['rev-parse', 'trunk']));
        expect((await alice(`/sessions/${created.id}`, { method: 'DELETE' })).status).toBe(204);
      }
      // A base branch asked for is shown as asked.
      const asked = await whileCreating({ baseBranch: 'develop' });
      expect(asked.got).toMatchObject({ status: 'creating', baseBranch: 'develop' });
      expect(asked.created).toMatchObject({ baseBranch: 'develop' });
    } finally {
      await tw.close();
      tw.cleanup();
      temp.cleanup();
    }
  });
});

import { readdirSync } from 'node:fs';
import path from 'node:path';

import { GITHUB_TOKEN_HEADER } from '@grove/contract';
import {
  createSourceRepo,
  makeTempDir,
  startGitHubStandIn,
  type GitHubStandIn,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';

type Worker = TestWorker & { cleanup: () => void };

interface CreateBody {
  repo: string;
  baseBranch?: string;
}

/**
 * One worker keeps one mirror per repository, shared by every user; GitHub decides who may
 * read a private repository. A mirror fresh enough not to be fetched must not let in a user
 * GitHub would refuse.
 */
describe('a fresh mirror of a private GitHub repository', () => {
  let github: GitHubStandIn;
  let temp: ReturnType<typeof makeTempDir>;
  /** Never fetches a mirror again within the test; `stale` always fetches. */
  let fresh: Worker;
  let stale: Worker;
  /** A valid GitHub token of another account, which is no collaborator of octo/demo. */
  let bobToken: string;

  const create = (tw: Worker, userId: string, token: string | undefined, body: CreateBody) =>
    tw.fetchAs(userId)('/sessions', {
      json: body,
      headers: token ? { [GITHUB_TOKEN_HEADER]: token } : {},
    });

  const refusal = async (res: Response) => ({
    status: res.status,
    ...((await res.json()) as { error: { code: string; message: string } }).error,
  });

  /** Requests the stand-in got for octo/demo's git (ls-remote, fetch). */
  const gitRequests = () => github.requests.filter((r) => r.path.startsWith('/octo/demo.git/'));

  beforeAll(async () => {
    temp = makeTempDir('grove-mirror-access-');
    github = await startGitHubStandIn();
    github.addRepo('octo/demo', createSourceRepo(path.join(temp.dir, 'demo')));
    bobToken = github.addUser({ login: 'bob' }).token;
    const env = { GITHUB_URL: github.url, GITHUB_API_URL: github.apiUrl };
    fresh = await startTestWorker({ ...env, GROVE_MIRROR_FRESH_SECONDS: '3600' });
    stale = await startTestWorker({ ...env, GROVE_MIRROR_FRESH_SECONDS: '0' });
    // Alice may read octo/demo: her sessions build each worker's mirror.
    for (const tw of [fresh, stale]) {
      const res = await create(tw, 'alice', github.token, { repo: 'octo/demo' });
      expect(res.status, await res.clone().text()).toBe(201);
    }
  });

  afterAll(async () => {
    for (const tw of [fresh, stale]) {
      await tw?.close();
      tw?.cleanup();
    }
    await github?.close();
    temp?.cleanup();
  });

  it('refuses a user GitHub does not let read it, as a stale mirror does', async () => {
    const attempts: [user: string, token: string | undefined, body: CreateBody][] = [
      // Without a base branch the default is looked up first; with one, straight to the mirror.
      ['bob', bobToken, { repo: 'octo/demo' }],
      ['bob', bobToken, { repo: 'octo/demo', baseBranch: 'main' }],
      ['carol', undefined, { repo: 'octo/demo' }],
      ['carol', undefined, { repo: 'octo/demo', baseBranch: 'main' }],
    ];
    for (const [user, token, body] of attempts) {
      const onStale = await refusal(await create(stale, user, token, body));
      expect(onStale).toMatchObject({ status: 422, code: 'repo_unavailable' });
      const onFresh = await refusal(await create(fresh, user, token, body));
      expect(onFresh, `${user} ${JSON.stringify(body)}`).toEqual(onStale);
      expect(onFresh.message).not.toContain(bobToken);
    }
    for (const user of ['bob', 'carol']) {
      const list = (await (await fresh.fetchAs(user)('/sessions')).json()) as {
        sessions: unknown[];
      };
      expect(list.sessions).toEqual([]);
    }
    // Alice's worktree is the only one on the fresh worker.
    expect(readdirSync(path.join(fresh.dataDir, 'worktrees'))).toHaveLength(1);
  });

  it('asks GitHub once per user while the mirror is fresh, and lets in a new collaborator', async () => {
    // Alice's access was checked (or the mirror fetched) with her token a moment ago.
    await create(fresh, 'alice', github.token, { repo: 'octo/demo' });
    let before = gitRequests().length;
    expect((await create(fresh, 'alice', github.token, { repo: 'octo/demo' })).status).toBe(201);
    expect(gitRequests().length).toBe(before);

    // A refusal is not remembered: once bob is a collaborator, GitHub lets him read it.
    github.addCollaborator('octo/demo', 'bob');
    before = gitRequests().length;
    const admitted = await create(fresh, 'bob', bobToken, { repo: 'octo/demo' });
    expect(admitted.status, await admitted.clone().text()).toBe(201);
    const asked = gitRequests().slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.authorized)).toBe(true);

    before = gitRequests().length;
    expect((await create(fresh, 'bob', bobToken, { repo: 'octo/demo' })).status).toBe(201);
    expect(gitRequests().length).toBe(before);
  });
});

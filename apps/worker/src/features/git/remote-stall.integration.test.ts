import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { GITHUB_TOKEN_HEADER } from '@grove/contract';
import {
  createSourceRepo,
  git,
  makeTempDir,
  startGitHubStandIn,
  startStalledRemote,
  type GitHubStandIn,
  type StalledRemote,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';

/** The stall time the worker is given here, in seconds (GROVE_GIT_STALL_SECONDS). */
const STALL_SECONDS = 2;
/** A stalled push or update must be answered by then. */
const ANSWER_WITHIN_MS = 8_000;

interface ErrorBody {
  error: { code: string; message: string };
}

describe('push and update from base against a GitHub that stops answering', () => {
  let github: GitHubStandIn;
  let remote: StalledRemote;
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let alice: ReturnType<TestWorker['fetchAs']>;
  let id: string;
  let remoteUrl: string;
  let sourceDir: string;
  const withToken = () => ({ [GITHUB_TOKEN_HEADER]: github.token });

  beforeAll(async () => {
    temp = makeTempDir('grove-stall-git-');
    github = await startGitHubStandIn();
    sourceDir = createSourceRepo(path.join(temp.dir, 'source'));
    github.addRepo('octo/app', sourceDir);
    // The worker's GitHub is a door to the stand-in that can be made to stop answering (plain
    // http: the stall comes after the connection, where no TLS handshake is waiting).
    remote = await startStalledRemote({
      forwardTo: Number(new URL(github.url).port),
      silent: false,
    });
    const githubUrl = `http://127.0.0.1:${remote.port}`;
    remoteUrl = `${githubUrl}/octo/app.git`;
    tw = await startTestWorker({
      GITHUB_URL: githubUrl,
      GITHUB_API_URL: github.apiUrl,
      GROVE_GIT_STALL_SECONDS: String(STALL_SECONDS),
      GROVE_MIRROR_FRESH_SECONDS: '0',
    });
    alice = tw.fetchAs('alice');
    const res = await alice('/sessions', { json: { repo: 'octo/app' }, headers: withToken() });
    expect(res.status, await res.clone().text()).toBe(201);
    id = ((await res.json()) as { session: { id: string } }).session.id;
  });

  afterAll(async () => {
    await remote?.close();
    await tw?.close();
    tw?.cleanup();
    await github?.close();
    temp?.cleanup();
  });

  async function timed(call: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
    const started = Date.now();
    const res = await call();
    return { res, ms: Date.now() - started };
  }

  it('a stalled push and a stalled update fail in bounded time; the session and mirror stay usable', async () => {
    remote.silent = true;
    const push = await timed(() =>
      alice(`/sessions/${id}/git/push`, { method: 'POST', headers: withToken() }),
    );
    expect(push.res.status).toBe(422);
    expect(((await push.res.json()) as ErrorBody).error).toEqual({
      code: 'repo_unavailable',
      message: `Could not push: ${remoteUrl} stopped answering (nothing heard from it for ${STALL_SECONDS} s)`,
    });
    expect(push.ms).toBeLessThan(ANSWER_WITHIN_MS);

    const update = await timed(() =>
      alice(`/sessions/${id}/git/update`, { json: {}, headers: withToken() }),
    );
    expect(update.res.status).toBe(422);
    expect(((await update.res.json()) as ErrorBody).error).toMatchObject({
      code: 'repo_unavailable',
      message: `Could not fetch the base branch: ${remoteUrl} stopped answering (nothing heard from it for ${STALL_SECONDS} s)`,
    });
    expect(update.ms).toBeLessThan(ANSWER_WITHIN_MS);

    // Nothing lost: the session is as it was, and once GitHub answers again both work (no lock
    // or half-written state was left in the mirror by the git that was stopped).
    const session = (await (await alice(`/sessions/${id}`)).json()) as {
      session: { status: string; pushedAt: string | null };
    };
    expect(session.session).toMatchObject({ status: 'active', pushedAt: null });
    remote.silent = false;
    const pushed = await alice(`/sessions/${id}/git/push`, {
      method: 'POST',
      headers: withToken(),
    });
    expect(pushed.status, await pushed.clone().text()).toBe(200);
    expect(
      git(github.bareRepoPath('octo/app'), ['rev-parse', '--verify', `refs/heads/session/${id}`]),
    ).toMatch(/^[0-9a-f]{40}/);
    const updated = await alice(`/sessions/${id}/git/update`, { json: {}, headers: withToken() });
    expect(updated.status, await updated.clone().text()).toBe(200);
  }, 40_000);

  it('does not cut a slow transfer that keeps sending, though git prints nothing for longer than the stall time', async () => {
    // ~130 KB that does not compress, through a link of 16 KB/s: several stall times long.
    writeFileSync(path.join(sourceDir, 'big.txt'), randomBytes(96 * 1024).toString('base64'));
    git(sourceDir, ['add', 'big.txt']);
    git(sourceDir, ['commit', '--quiet', '-m', 'a big file']);
    git(sourceDir, ['push', '--quiet', github.bareRepoPath('octo/app'), 'main']);
    remote.throttle = { bytes: 8 * 1024, everyMs: 500 };
    try {
      const update = await timed(() =>
        alice(`/sessions/${id}/git/update`, { json: {}, headers: withToken() }),
      );
      expect(update.res.status, await update.res.clone().text()).toBe(200);
      expect(await update.res.json()).toMatchObject({ updated: true, behind: 0 });
      expect(update.ms).toBeGreaterThan(3 * STALL_SECONDS * 1000);
    } finally {
      remote.throttle = undefined;
    }
  }, 60_000);
});

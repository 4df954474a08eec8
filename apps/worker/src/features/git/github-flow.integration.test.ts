import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';

import { GITHUB_WEBHOOK_USER_ID, GITHUB_TOKEN_HEADER } from '@grove/contract';
import {
  createSourceRepo,
  git,
  makeTempDir,
  startGitHubStandIn,
  type GitHubStandIn,
  workerFetcher,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogger } from '../../lib/logger';
import { startTestWorker, TEST_SECRET, type TestWorker } from '../../testing/harness';

interface ErrorBody {
  error: { code: string; message: string };
}

/** Every file under `dir` (the whole data dir: database, mirrors, worktrees). */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return allFiles(full);
    return entry.isFile() ? [full] : [];
  });
}

/** Command lines of every process on the machine, read from /proc. */
function sampleCmdlines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // the process ended between readdir and read
    }
  }
  return lines;
}

describe('git workflow against a GitHub stand-in', () => {
  let github: GitHubStandIn;
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let argvLog: string;
  const logLines: string[] = [];
  let alice: ReturnType<TestWorker['fetchAs']>;
  let id: string;
  const withToken = () => ({ [GITHUB_TOKEN_HEADER]: github.token });

  beforeAll(async () => {
    temp = makeTempDir('grove-gitflow-');
    github = await startGitHubStandIn();
    const source = createSourceRepo(path.join(temp.dir, 'source'), { branches: ['develop'] });
    github.addRepo('octo/app', source);

    // Every git the worker starts goes through this shim, which records its argv.
    const shimDir = path.join(temp.dir, 'shim');
    argvLog = path.join(temp.dir, 'argv.log');
    const realGit = '/usr/bin/git';
    const shim = path.join(shimDir, 'git');
    mkdirSync(shimDir);
    writeFileSync(shim, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${realGit}' "$@"\n`);
    chmodSync(shim, 0o755);
    process.env.PATH = `${shimDir}:${process.env.PATH ?? ''}`;

    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    tw = await startTestWorker(
      { GITHUB_URL: github.url, GITHUB_API_URL: github.apiUrl },
      undefined,
      createLogger('debug', sink),
    );
    alice = workerAs(tw);
    const res = await alice('/sessions', { json: { repo: 'octo/app' }, headers: withToken() });
    expect(res.status, await res.clone().text()).toBe(201);
    id = ((await res.json()) as { session: { id: string } }).session.id;
  });

  function workerAs(worker: TestWorker) {
    // The web adds the GitHub profile to the token's claims; the commit author comes from it.
    return workerFetcherWithProfile(worker);
  }

  afterAll(async () => {
    await tw?.close();
    tw?.cleanup();
    await github?.close();
    temp?.cleanup();
  });

  it("asks the remote for its HEAD once for a repository's first session", () => {
    // Once before the session's row is written (it shows the base branch while the mirror is
    // built), and the mirror built next uses that answer.
    const asked = readFileSync(argvLog, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('ls-remote'));
    expect(asked).toHaveLength(1);
  });

  it('write → status → diff → commit → push → branch on origin → PR with the chosen base', async () => {
    const put = await alice(`/sessions/${id}/file`, {
      method: 'PUT',
      json: { path: 'feature.txt', content: 'a new feature\n' },
    });
    expect(put.status).toBe(200);

    const status = (await (await alice(`/sessions/${id}/git/status`)).json()) as {
      branch: string;
      ahead: number;
      behind: number;
      files: { path: string; status: string }[];
    };
    expect(status).toMatchObject({ branch: `session/${id}`, ahead: 0, behind: 0 });
    expect(status.files).toEqual([{ path: 'feature.txt', status: 'untracked' }]);

    const diff = (await (await alice(`/sessions/${id}/git/diff`)).json()) as {
      diff: string;
      files: { path: string; truncated: boolean }[];
    };
    expect(diff.diff).toContain('+++ b/feature.txt');
    expect(diff.diff).toContain('+a new feature');
    expect(diff.files).toEqual([
      expect.objectContaining({ path: 'feature.txt', truncated: false }),
    ]);

    // One file asked for by path: the way to load what the capped whole-diff left out.
    const single = (await (
      await alice(`/sessions/${id}/git/diff?path=${encodeURIComponent('feature.txt')}`)
    ).json()) as { diff: string; files: { path: string }[] };
    expect(single.files.map((f) => f.path)).toEqual(['feature.txt']);
    expect(single.diff).toContain('+a new feature');
    const other = (await (await alice(`/sessions/${id}/git/diff?path=README.md`)).json()) as {
      diff: string;
    };
    expect(other.diff).toBe('');

    const commit = await alice(`/sessions/${id}/git/commit`, { json: { message: 'Add feature' } });
    expect(commit.status).toBe(200);
    const { commit: made } = (await commit.json()) as { commit: { sha: string; message: string } };
    expect(made.message).toBe('Add feature');
    const worktree = path.join(tw.dataDir, 'worktrees', id);
    expect(git(worktree, ['log', '-1', '--format=%an <%ae>']).trim()).toBe(
      `${github.user.name} <${github.user.email}>`,
    );
    const after = (await (await alice(`/sessions/${id}/git/status`)).json()) as {
      ahead: number;
      files: unknown[];
    };
    expect(after).toMatchObject({ ahead: 1, files: [] });
    // The diff against the base still shows the committed change.
    expect(
      ((await (await alice(`/sessions/${id}/git/diff`)).json()) as { diff: string }).diff,
    ).toContain('+a new feature');
    const again = await alice(`/sessions/${id}/git/commit`, { json: { message: 'Nothing' } });
    expect(((await again.json()) as ErrorBody).error.code).toBe('nothing_to_commit');

    const noToken = await alice(`/sessions/${id}/git/push`, { method: 'POST' });
    expect(noToken.status).toBe(403);
    const noTokenBody = (await noToken.json()) as ErrorBody;
    expect(noTokenBody.error.code).toBe('github_token_required');
    expect(noTokenBody.error.message).toMatch(/GitHub token/);

    const wrong = await alice(`/sessions/${id}/git/push`, {
      method: 'POST',
      headers: { [GITHUB_TOKEN_HEADER]: 'ghp_wrongwrongwrong' },
    });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as ErrorBody).error.code).toBe('github_auth_failed');

    // Sample every process's argv while the push runs.
    const seen: string[] = [];
    const sampler = setInterval(() => seen.push(...sampleCmdlines()), 2);
    const push = await alice(`/sessions/${id}/git/push`, { method: 'POST', headers: withToken() });
    clearInterval(sampler);
    expect(push.status).toBe(200);
    expect(await push.json()).toEqual({ pushed: true, branch: `session/${id}` });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((line) => line.includes(github.token))).toEqual([]);

    const bare = github.bareRepoPath('octo/app');
    expect(git(bare, ['rev-parse', `refs/heads/session/${id}`]).trim()).toBe(made.sha);

    const pr = await alice(`/sessions/${id}/git/pr`, {
      json: { title: 'Add feature', body: 'Made in Grove', base: 'develop', draft: true },
      headers: withToken(),
    });
    expect(pr.status).toBe(200);
    const { pr: opened } = (await pr.json()) as { pr: { number: number; url: string } };
    expect(opened.url).toBe(`${github.url}/octo/app/pull/${opened.number}`);
    expect(github.pulls).toEqual([
      expect.objectContaining({
        head: `session/${id}`,
        base: 'develop',
        draft: true,
        title: 'Add feature',
        body: 'Made in Grove',
      }),
    ]);
    const session = (await (await alice(`/sessions/${id}`)).json()) as {
      session: { pushedAt: string | null; pullRequest: unknown };
    };
    expect(session.session.pushedAt).not.toBeNull();
    expect(session.session.pullRequest).toEqual({
      number: opened.number,
      url: opened.url,
      state: 'open',
    });

    // The token is nowhere: no log line, no file under the data dir (configs, database), no argv.
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('').includes(github.token)).toBe(false);
    for (const file of allFiles(tw.dataDir)) {
      if (statSync(file).size > 50 * 1024 * 1024) continue;
      expect(readFileSync(file).includes(github.token), file).toBe(false);
    }
    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toContain('push');
    expect(argv.includes(github.token)).toBe(false);
  });

  it('webhooks: a push to the base marks sessions behind once; a merged PR updates the session', async () => {
    const system = tw.fetchAs(GITHUB_WEBHOOK_USER_ID);
    const push = {
      deliveryId: 'delivery-1',
      event: 'push',
      payload: {
        ref: 'refs/heads/main',
        after: 'f'.repeat(40),
        repository: { full_name: 'octo/app' },
      },
    };
    const first = await system('/webhooks/github', { json: push });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ duplicate: false, sessionsUpdated: 1 });
    const auditCount = () =>
      (tw.worker.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
    const before = auditCount();
    const replay = await system('/webhooks/github', { json: push });
    expect(await replay.json()).toEqual({ duplicate: true, sessionsUpdated: 0 });
    expect(auditCount()).toBe(before);

    const session = (await (await alice(`/sessions/${id}`)).json()) as {
      session: { behindBase: boolean; pullRequest: { number: number; state: string } };
    };
    expect(session.session.behindBase).toBe(true);

    const closed = await system('/webhooks/github', {
      json: {
        deliveryId: 'delivery-2',
        event: 'pull_request',
        payload: {
          action: 'closed',
          number: session.session.pullRequest.number,
          pull_request: { html_url: 'x', merged: true, state: 'closed' },
          repository: { full_name: 'octo/app' },
        },
      },
    });
    expect(await closed.json()).toEqual({ duplicate: false, sessionsUpdated: 1 });
    const merged = (await (await alice(`/sessions/${id}`)).json()) as {
      session: { pullRequest: { state: string } };
    };
    expect(merged.session.pullRequest.state).toBe('merged');
    const actions = tw.worker.db
      .prepare("SELECT action FROM audit_log WHERE action LIKE 'github.%' ORDER BY id")
      .all() as { action: string }[];
    expect(actions.map((a) => a.action)).toEqual(['github.push', 'github.pull_request']);

    // Only the web's webhook identity may call this route.
    expect((await alice('/webhooks/github', { json: push })).status).toBe(404);
  });

  it('keeps a pushed branch when the session is deleted', async () => {
    const del = await alice(`/sessions/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    const mirror = readdirSync(path.join(tw.dataDir, 'mirrors')).find((n) => n.endsWith('.git'))!;
    expect(
      git(path.join(tw.dataDir, 'mirrors', mirror), ['branch', '--list', `session/${id}`]).trim(),
    ).toBe(`session/${id}`);
  });
});

function workerFetcherWithProfile(worker: TestWorker) {
  return workerFetcher({
    baseUrl: worker.baseUrl,
    secret: TEST_SECRET,
    userId: 'alice',
    profile: { login: 'octo', name: 'Octo Cat', email: 'octo@example.com' },
  });
}

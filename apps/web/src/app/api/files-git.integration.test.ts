import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  createSourceRepo,
  makeTempDir,
  startGitHubStandIn,
  webhookHeaders,
  workerFetcher,
  type GitHubStandIn,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signIn, startStack, TEST_WORKER_SECRET, WORKER_ENTRY, type Stack } from '@/testing/stack';

const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('files, git and webhooks through next start', () => {
  let stack: Stack;
  let github: GitHubStandIn;
  let cookie: string;
  let repos: ReturnType<typeof makeTempDir>;
  let id: string;
  let repoDir: string;

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${stack.webUrl}${p}`, {
      ...init,
      headers: {
        cookie,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });

  beforeAll(async () => {
    expect(existsSync(WORKER_ENTRY), 'build the worker first').toBe(true);
    repos = makeTempDir('grove-web-git-');
    repoDir = createSourceRepo(path.join(repos.dir, 'origin'), { files: 2 });
    github = await startGitHubStandIn();
    github.addRepo('octo/app', createSourceRepo(path.join(repos.dir, 'octo-app'), { files: 1 }));
    stack = await startStack({
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      GITHUB_URL: github.url,
      GITHUB_API_URL: github.apiUrl,
      GITHUB_TOKEN: github.token,
    });
    cookie = await signIn(stack.webUrl);
    const created = await api('/api/workspace/session/create', {
      method: 'POST',
      body: JSON.stringify({ repo: repoDir }),
    });
    expect(created.status).toBe(201);
    id = ((await created.json()) as { session: { id: string } }).session.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await github?.close();
    repos?.cleanup();
  });

  it('writes, reads and lists a file, and shows it in status and diff', async () => {
    const put = await api(`/api/workspace/session/${id}/file`, {
      method: 'PUT',
      body: JSON.stringify({ path: 'docs/hello.md', content: '# hello\n' }),
    });
    expect(put.status).toBe(200);
    // The version is the SHA-256 of the bytes (what a later save sends back as baseVersion).
    const version = createHash('sha256').update('# hello\n').digest('hex');
    expect(await put.json()).toEqual({ path: 'docs/hello.md', size: 8, version });
    const read = await api(`/api/workspace/session/${id}/file?path=docs%2Fhello.md`);
    expect(await read.json()).toEqual({
      path: 'docs/hello.md',
      content: '# hello\n',
      size: 8,
      version,
    });
    // A save from an older version is passed on as such, and refused: nothing is lost.
    const stale = await api(`/api/workspace/session/${id}/file`, {
      method: 'PUT',
      body: JSON.stringify({ path: 'docs/hello.md', content: 'x', baseVersion: '0'.repeat(64) }),
    });
    expect(stale.status).toBe(409);
    const list = (await (await api(`/api/workspace/session/${id}/files?path=docs`)).json()) as {
      entries: { path: string }[];
    };
    expect(list.entries.map((e) => e.path)).toEqual(['docs/hello.md']);
    const status = (await (await api(`/api/workspace/session/${id}/git/status`)).json()) as {
      files: { path: string; status: string }[];
    };
    expect(status.files).toEqual([{ path: 'docs/hello.md', status: 'untracked' }]);
    const diff = (await (await api(`/api/workspace/session/${id}/git/diff`)).json()) as {
      diff: string;
    };
    expect(diff.diff).toContain('+# hello');
    const commit = await api(`/api/workspace/session/${id}/git/commit`, {
      method: 'POST',
      body: JSON.stringify({ message: 'hello' }),
    });
    expect(commit.status).toBe(200);

    const escape = await api(`/api/workspace/session/${id}/file?path=..%2F..%2Fetc%2Fpasswd`);
    expect(escape.status).toBe(422);
    const anonymous = await fetch(
      `${stack.webUrl}/api/workspace/session/${id}/file?path=README.md`,
    );
    expect(anonymous.status).toBe(401);
  });

  it('creates, renames and deletes files and folders, inside the worktree only', async () => {
    const worktree = path.join(stack.dataDir, 'worktrees', id);
    const base = `/api/workspace/session/${id}`;
    const post = (suffix: string, body: unknown, headers: Record<string, string> = {}) =>
      api(`${base}${suffix}`, { method: 'POST', body: JSON.stringify(body), headers });

    // New file: create-only, so an existing one is never emptied.
    const created = await api(`${base}/file`, {
      method: 'PUT',
      body: JSON.stringify({ path: 'ops/new.md', content: '', createOnly: true }),
    });
    expect(created.status).toBe(200);
    writeFileSync(path.join(worktree, 'ops/new.md'), 'typed\n');
    const again = await api(`${base}/file`, {
      method: 'PUT',
      body: JSON.stringify({ path: 'ops/new.md', content: '', createOnly: true }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe('conflict');
    expect(readFileSync(path.join(worktree, 'ops/new.md'), 'utf8')).toBe('typed\n');

    const folder = await post('/folder', { path: 'ops/sub' });
    expect(folder.status).toBe(201);
    expect(await folder.json()).toEqual({ path: 'ops/sub', created: true });

    const moved = await post('/file/move', { from: 'ops/new.md', to: 'ops/sub/renamed.md' });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({
      from: 'ops/new.md',
      to: 'ops/sub/renamed.md',
      type: 'file',
    });
    expect(readFileSync(path.join(worktree, 'ops/sub/renamed.md'), 'utf8')).toBe('typed\n');
    writeFileSync(path.join(worktree, 'ops/taken.md'), 'taken\n');
    expect(
      (await post('/file/move', { from: 'ops/sub/renamed.md', to: 'ops/taken.md' })).status,
    ).toBe(409);

    // Validated here before the worker sees it; confined by the worker.
    for (const [suffix, body, status] of [
      ['/file/move', { from: 'ops/taken.md', to: '../../escaped.md' }, 422],
      ['/file/move', { from: 'ops/taken.md' }, 422],
      ['/file/move', { from: 'ops/taken.md', to: '.git/escaped.md' }, 403],
      ['/folder', { path: '/tmp/x' }, 422],
      ['/folder', { path: '.GIT' }, 403],
    ] as const) {
      const res = await post(suffix, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
    }
    const traversal = await api(`${base}/file?path=..%2F..%2Fetc`, { method: 'DELETE' });
    expect(traversal.status).toBe(422);
    expect(((await traversal.json()) as ErrorBody).error.code).toBe('validation_failed');

    // State-changing: not from another site, and not without a session.
    const crossSite = await post(
      '/file/move',
      { from: 'ops/taken.md', to: 'ops/evil.md' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    const crossSiteDelete = await api(`${base}/file?path=ops`, {
      method: 'DELETE',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSiteDelete.status).toBe(403);
    const anonymous = await fetch(`${stack.webUrl}${base}/file?path=ops`, { method: 'DELETE' });
    expect(anonymous.status).toBe(401);
    expect(existsSync(path.join(worktree, 'ops/taken.md'))).toBe(true);

    const deleted = await api(`${base}/file?path=ops`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ path: 'ops', type: 'dir' });
    expect(existsSync(path.join(worktree, 'ops'))).toBe(false);
    expect((await api(`${base}/file?path=ops`, { method: 'DELETE' })).status).toBe(404);
  });

  it("answers 404 for another user's session, and changes nothing in it", async () => {
    const bob = workerFetcher({
      baseUrl: stack.worker.url,
      secret: TEST_WORKER_SECRET,
      userId: 'bob',
    });
    const made = await bob('/sessions', { json: { repo: repoDir } });
    expect(made.status).toBe(201);
    const bobs = ((await made.json()) as { session: { id: string } }).session.id;
    const readme = path.join(stack.dataDir, 'worktrees', bobs, 'README.md');
    const base = `/api/workspace/session/${bobs}`;
    for (const [p, init] of [
      [`${base}/file?path=README.md`, { method: 'DELETE' }],
      [`${base}/file/move`, { method: 'POST', body: '{"from":"README.md","to":"x.md"}' }],
      [`${base}/folder`, { method: 'POST', body: '{"path":"x"}' }],
    ] as const) {
      const res = await api(p, init);
      expect(res.status, p).toBe(404);
      expect(((await res.json()) as ErrorBody).error.code).toBe('not_found');
    }
    expect(existsSync(readme)).toBe(true);
  });

  it('accepts a signed webhook with 202, refuses a bad signature with 401, ignores a replay', async () => {
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const good = webhookHeaders(WEBHOOK_SECRET, 'ping', body, 'delivery-web-1');
    const bad = { ...good, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };

    const refused = await fetch(`${stack.webUrl}/api/webhooks/github`, {
      method: 'POST',
      headers: bad,
      body,
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as ErrorBody).error.code).toBe('unauthorized');
    const wrongSecret = webhookHeaders('another-secret', 'ping', body, 'delivery-web-1');
    expect(
      (
        await fetch(`${stack.webUrl}/api/webhooks/github`, {
          method: 'POST',
          headers: wrongSecret,
          body,
        })
      ).status,
    ).toBe(401);

    const accepted = await fetch(`${stack.webUrl}/api/webhooks/github`, {
      method: 'POST',
      headers: good,
      body,
    });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ accepted: true, duplicate: false });
    const replay = await fetch(`${stack.webUrl}/api/webhooks/github`, {
      method: 'POST',
      headers: good,
      body,
    });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toEqual({ accepted: true, duplicate: true });
  });

  it("refuses a push or pull_request delivery lacking what is used (422), without using up its id; GitHub's own then applies", async () => {
    const created = await api('/api/workspace/session/create', {
      method: 'POST',
      body: JSON.stringify({ repo: 'octo/app' }),
    });
    expect(created.status).toBe(201);
    const session = ((await created.json()) as { session: { id: string } }).session.id;
    const base = `/api/workspace/session/${session}`;
    for (const [p, body] of [
      ['/file', { path: 'change.txt', content: 'a change\n' }],
      ['/git/commit', { message: 'A change' }],
      ['/git/push', {}],
      ['/git/pr', { title: 'A change' }],
    ] as const) {
      const res = await api(`${base}${p}`, {
        method: p === '/file' ? 'PUT' : 'POST',
        body: JSON.stringify(body),
      });
      expect(res.status, `${p}: ${await res.clone().text()}`).toBe(200);
    }
    const [pull] = github.pulls;
    expect(pull).toBeDefined();
    const prState = async () =>
      (
        (await (await api(base)).json()) as {
          session: { pullRequest: { number: number; state: string } | null };
        }
      ).session.pullRequest;
    expect(await prState()).toEqual(
      expect.objectContaining({ number: pull!.number, state: 'open' }),
    );

    const deliver = (event: string, payload: unknown, deliveryId: string) => {
      const body = JSON.stringify(payload);
      return fetch(`${stack.webUrl}/api/webhooks/github`, {
        method: 'POST',
        headers: webhookHeaders(WEBHOOK_SECRET, event, body, deliveryId),
        body,
      });
    };
    // GitHub's delivery of the merge, as it sends it, and a copy that lacks the PR's state.
    const merged = github.pullRequestEvent(pull!.number, 'closed', { merged: true });
    const { state: _state, ...stateless } = merged.pull_request as Record<string, unknown>;
    const refused = await deliver(
      'pull_request',
      { ...merged, pull_request: stateless },
      'delivery-pr-1',
    );
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: 'Invalid pull_request payload',
        details: [{ path: 'pull_request.state', message: 'is required' }],
      },
    });
    expect((await prState())?.state).toBe('open');

    // The corrected redelivery with the same id is not a duplicate: it is applied, once.
    const applied = await deliver('pull_request', merged, 'delivery-pr-1');
    expect(applied.status).toBe(202);
    expect(await applied.json()).toEqual({ accepted: true, duplicate: false });
    expect((await prState())?.state).toBe('merged');
    const again = await deliver('pull_request', merged, 'delivery-pr-1');
    expect(await again.json()).toEqual({ accepted: true, duplicate: true });

    // A push lacking its ref likewise; events Grove does not act on are accepted as they come.
    const push = await deliver(
      'push',
      { after: 'a'.repeat(40), repository: merged.repository },
      'delivery-push-1',
    );
    expect(push.status).toBe(422);
    expect(((await push.json()) as { error: { details: unknown } }).error.details).toEqual([
      { path: 'ref', message: 'is required' },
    ]);
    const fixedPush = await deliver(
      'push',
      { ref: 'refs/heads/main', after: 'a'.repeat(40), repository: merged.repository },
      'delivery-push-1',
    );
    expect(await fixedPush.json()).toEqual({ accepted: true, duplicate: false });
    const issue = await deliver('issues', { action: 'opened' }, 'delivery-issue-1');
    expect(issue.status).toBe(202);
  });
});

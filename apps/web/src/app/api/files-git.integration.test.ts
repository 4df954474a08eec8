import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { createSourceRepo, makeTempDir, webhookHeaders } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signIn, startStack, WORKER_ENTRY, type Stack } from '@/testing/stack';

const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('files, git and webhooks through next start', () => {
  let stack: Stack;
  let cookie: string;
  let repos: ReturnType<typeof makeTempDir>;
  let id: string;

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
    const repoDir = createSourceRepo(path.join(repos.dir, 'origin'), { files: 2 });
    stack = await startStack({ GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET });
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
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { createSourceRepo, makeTempDir, TerminalClient } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  signIn,
  startStack,
  TEST_ACCESS_TOKEN,
  TEST_WEB_ORIGIN,
  WORKER_ENTRY,
  type Stack,
} from '@/testing/stack';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('web app against a real worker', () => {
  let stack: Stack;
  let cookie: string;
  let repos: ReturnType<typeof makeTempDir>;
  let repoDir: string;

  beforeAll(async () => {
    expect(
      existsSync(path.resolve(import.meta.dirname, '../../../.next/BUILD_ID')),
      'build the web app first',
    ).toBe(true);
    expect(existsSync(WORKER_ENTRY), 'build the worker first').toBe(true);
    repos = makeTempDir('grove-web-repo-');
    repoDir = createSourceRepo(path.join(repos.dir, 'origin'), { files: 5 });
    stack = await startStack();
    cookie = await signIn(stack.webUrl);
  });

  afterAll(async () => {
    await stack?.stop();
    repos?.cleanup();
  });

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${stack.webUrl}${p}`, {
      ...init,
      headers: { cookie, ...(init.headers as Record<string, string>) },
    });

  it('answers health without a session', async () => {
    const response = await fetch(`${stack.webUrl}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('forbids framing every page and answer (clickjacking)', async () => {
    for (const p of ['/sign-in', '/', '/sessions/abcdefghij0123', '/api/health']) {
      const response = await fetch(`${stack.webUrl}${p}`, { redirect: 'manual' });
      expect(response.headers.get('x-frame-options'), p).toBe('DENY');
      expect(response.headers.get('content-security-policy'), p).toBe("frame-ancestors 'none'");
    }
  });

  it('refuses a wrong token with 401 and no cookie', async () => {
    const response = await fetch(`${stack.webUrl}/auth/local?token=wrong-token`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(((await response.json()) as ErrorBody).error.code).toBe('unauthorized');
  });

  it('shows a person with a wrong token a page with a way back, still 401 and no cookie', async () => {
    const response = await fetch(`${stack.webUrl}/auth/local?token=wrong-token`, {
      redirect: 'manual',
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('Wrong access token');
    expect(page).toContain('href="/sign-in"');
  });

  it("answers a page 404 for a session that is not the user's, and for a malformed id", async () => {
    for (const id of ['abcdefghij0123', 'not-a-session-id!']) {
      const response = await api(`/sessions/${id}`);
      expect(response.status, id).toBe(404);
      expect(await response.text(), id).toContain('Back to sessions');
    }
  });

  it('signs in with the right token: HttpOnly SameSite cookie and a redirect to /', async () => {
    const response = await fetch(`${stack.webUrl}/auth/local?token=${TEST_ACCESS_TOKEN}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const setCookie = response.headers.getSetCookie()[0] ?? '';
    expect(setCookie).toMatch(/^grove_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=lax/i);
  });

  /** The sign-in form as a browser on the web's own page posts it. */
  const postSignIn = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${stack.webUrl}/auth/local`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: stack.webUrl,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });

  it('sends a signed-out page request to sign-in, carrying the page asked for', async () => {
    const response = await fetch(`${stack.webUrl}/sessions/abcdefghij0123`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toMatch(
      /\/sign-in\?next=%2Fsessions%2Fabcdefghij0123$/,
    );
  });

  it('signs in by form POST: the cookie and a redirect to a same-site `next` only', async () => {
    const response = await postSignIn({ token: TEST_ACCESS_TOKEN, next: '/sessions/abc' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/sessions/abc');
    expect(response.headers.getSetCookie()[0] ?? '').toMatch(/^grove_session=.*HttpOnly/i);
    for (const next of ['//evil.com', 'https://evil.com', '/\\evil.com']) {
      const hostile = await postSignIn({ token: TEST_ACCESS_TOKEN, next });
      expect(hostile.status, next).toBe(303);
      expect(hostile.headers.get('location'), next).toBe('/');
    }
  });

  it('refuses a form POST with a wrong token (401) or from another site (403), no cookie', async () => {
    const wrong = await postSignIn({ token: 'wrong-token', next: '/workers' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const crossSite = await postSignIn(
      { token: TEST_ACCESS_TOKEN },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.getSetCookie()).toEqual([]);
  });

  it('answers 401 in the contract shape for every /api route without a valid session', async () => {
    for (const [method, p] of [
      ['GET', '/api/workspace/sessions'],
      ['POST', '/api/workspace/session/create'],
      ['GET', '/api/workspace/session/abcdefghij0123'],
      ['DELETE', '/api/workspace/session/abcdefghij0123'],
      ['GET', '/api/workers/status'],
      ['GET', '/api/does-not-exist'],
      // Methods a route does not answer: still 401 first, nothing revealed.
      ['POST', '/api/workspace/sessions'],
      ['PUT', '/api/workspace/chat'],
      ['PATCH', '/api/workspace/session/abcdefghij0123'],
      ['OPTIONS', '/api/workspace/sessions'],
      ['OPTIONS', '/api/does-not-exist'],
    ] as const) {
      const response = await fetch(`${stack.webUrl}${p}`, { method });
      expect(response.status, `${method} ${p}`).toBe(401);
      expect(((await response.json()) as ErrorBody).error.code).toBe('unauthorized');
    }
    const forged = await fetch(`${stack.webUrl}/api/workspace/sessions`, {
      headers: { cookie: 'grove_session=eyJhbGciOiJIUzI1NiJ9.e30.x' },
    });
    expect(forged.status).toBe(401);
  });

  it('answers a method a route does not take with 405 in the contract shape and Allow', async () => {
    const apiDir = path.resolve(import.meta.dirname);
    const routes = readdirSync(apiDir, { recursive: true, encoding: 'utf8' })
      .filter((file) => path.basename(file) === 'route.ts' && !file.startsWith('[...path]'))
      .map((file) => {
        const source = readFileSync(path.join(apiDir, file), 'utf8');
        const own = [...source.matchAll(/export (?:const|async function|function) ([A-Z]+)\b/g)];
        const others = /export const \{ ([A-Z, ]+) \} = otherMethods/.exec(source)?.[1];
        const url = `/api/${path.dirname(file)}`.replace(/\[\w+\]/g, 'abcdefghij0123');
        return { url, own: own.map((m) => m[1]!), others: others?.split(', ') ?? [] };
      });
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      // Every method is answered, by the route or by otherMethods: none falls to Next's empty 405.
      expect([...route.own, ...route.others].sort(), route.url).toEqual([
        'DELETE',
        'GET',
        'OPTIONS',
        'PATCH',
        'POST',
        'PUT',
      ]);
      for (const method of route.others) {
        const response = await api(route.url, { method });
        expect(response.status, `${method} ${route.url}`).toBe(405);
        const body = (await response.json()) as ErrorBody;
        expect(body.error.code).toBe('method_not_allowed');
        const allow = response.headers.get('allow')!.split(', ');
        expect(allow).toEqual(expect.arrayContaining(route.own));
        expect(allow).not.toContain(method);
      }
    }
    // Open routes answer it without a session.
    const health = await fetch(`${stack.webUrl}/api/health`, { method: 'DELETE' });
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')).toBe('GET, HEAD');
  });

  it('proxies create, list, get and delete to the worker, which makes a real worktree', async () => {
    const created = await api('/api/workspace/session/create', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': 'web-1' },
      body: JSON.stringify({ repo: repoDir }),
    });
    expect(created.status).toBe(201);
    const { session } = (await created.json()) as {
      session: { id: string; status: string; branchName: string };
    };
    expect(session.status).toBe('active');
    expect(existsSync(path.join(stack.dataDir, 'worktrees', session.id, 'README.md'))).toBe(true);

    const replay = await api('/api/workspace/session/create', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': 'web-1' },
      body: JSON.stringify({ repo: repoDir }),
    });
    expect(((await replay.json()) as { session: { id: string } }).session.id).toBe(session.id);

    const list = (await (await api('/api/workspace/sessions')).json()) as {
      sessions: { id: string }[];
    };
    expect(list.sessions.map((s) => s.id)).toEqual([session.id]);
    expect((await api(`/api/workspace/session/${session.id}`)).status).toBe(200);
    expect((await api(`/api/workspace/session/${session.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await api(`/api/workspace/session/${session.id}`)).status).toBe(404);
  });

  it('validates input before the worker sees it', async () => {
    const bad = await api('/api/workspace/session/create', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ repo: '../../etc' }),
    });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details[0]?.path).toBe('repo');
    const notJson = await api('/api/workspace/session/create', { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    const huge = await api('/api/workspace/session/create', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ repo: 'x'.repeat(3 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
    expect((await api('/api/workspace/session/..%2F..')).status).toBe(422);
  });

  it('refuses state-changing requests from another site', async () => {
    const response = await api('/api/workspace/session/create', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
      body: JSON.stringify({ repo: repoDir }),
    });
    expect(response.status).toBe(403);
    // An Origin that is not even a URL is another site too (it was a 500).
    for (const origin of ['http://127.0.0.1:99999', 'not a url', 'null']) {
      const odd = await api('/api/workspace/session/create', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ repo: repoDir }),
      });
      expect(odd.status, origin).toBe(403);
      expect(((await odd.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
  });

  it('hands out a no-store terminal ticket whose socket runs a shell in the worktree', async () => {
    const created = await api('/api/workspace/session/create', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ repo: repoDir }),
    });
    const { session } = (await created.json()) as { session: { id: string } };
    expect(
      (await fetch(`${stack.webUrl}/api/terminal/config?sessionId=${session.id}`)).status,
    ).toBe(401);
    // A ticket starts a shell: not for another site's link, which the cookie would follow.
    const crossSite = await api(`/api/terminal/config?sessionId=${session.id}`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const config = await api(`/api/terminal/config?sessionId=${session.id}`, {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(config.status).toBe(200);
    expect(config.headers.get('cache-control')).toBe('no-store');
    const body = (await config.json()) as { wsUrl: string; terminalId: string; expiresAt: string };
    expect(body.wsUrl).toMatch(
      new RegExp(
        `^${stack.worker.url.replace('http', 'ws')}/terminals/${body.terminalId}/ws\\?ticket=`,
      ),
    );
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    expect(body.wsUrl).not.toContain(cookie.split('=')[1]!);
    const client = await TerminalClient.connect(body.wsUrl, { origin: TEST_WEB_ORIGIN, ack: true });
    client.input('pwd\r');
    await client.waitFor(new RegExp(`/worktrees/${session.id}\r\n`));
    await client.close();
    const again = await api(
      `/api/terminal/config?sessionId=${session.id}&terminalId=${body.terminalId}`,
    );
    expect(((await again.json()) as { terminalId: string }).terminalId).toBe(body.terminalId);
    expect((await api(`/api/terminal/config?sessionId=nope`)).status).toBe(422);
    // Closing its tab closes the terminal for good: gone from the list, a second close is 404.
    const terminal = `/api/workspace/session/${session.id}/terminals/${body.terminalId}`;
    expect((await api(terminal, { method: 'DELETE' })).status).toBe(204);
    const listed = (await (await api(`/api/workspace/session/${session.id}/terminals`)).json()) as {
      terminals: { id: string }[];
    };
    expect(listed.terminals.map((t) => t.id)).not.toContain(body.terminalId);
    expect((await api(terminal, { method: 'DELETE' })).status).toBe(404);
    expect((await api(`/api/workspace/session/${session.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
  });

  it('reports the worker online, then 503 in the error shape once it is gone', async () => {
    const status = (await (await api('/api/workers/status')).json()) as {
      workers: { status: string; latencyMs: number }[];
    };
    expect(status.workers[0]?.status).toBe('online');
    await stack.worker.stop();
    const offline = (await (await api('/api/workers/status')).json()) as {
      workers: { status: string }[];
    };
    expect(offline.workers[0]?.status).toBe('offline');
    const response = await api('/api/workspace/sessions');
    expect(response.status).toBe(503);
    expect(((await response.json()) as ErrorBody).error.code).toBe('worker_unavailable');
  });

  it('signs out by clearing the cookie and ending it on the server', async () => {
    const other = await signIn(stack.webUrl);
    const pages = ['/', '/settings', '/workers'];
    // Pages opened before the sign-out (their code, and what it remembers, is loaded by then).
    for (const page of pages) expect((await api(page)).status, page).toBe(200);
    const response = await api('/auth/signout', { method: 'POST', redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie()[0]).toMatch(/grove_session=;.*Max-Age=0/i);
    // A kept copy of the signed-out cookie no longer signs in (the worker is stopped by now, so
    // a session that still counted would get 503, not 401)...
    const replayed = await api('/api/workspace/sessions');
    expect(replayed.status).toBe(401);
    // ...nor opens a page: each is its own bundle, and each must see the sign-out.
    for (const page of pages) {
      const opened = await api(page, { redirect: 'manual' });
      expect(opened.status, page).toBe(307);
      expect(opened.headers.get('location'), page).toMatch(/\/sign-in/);
    }
    // ...while another sign-in's cookie (another browser) is untouched.
    const elsewhere = await fetch(`${stack.webUrl}/api/workspace/sessions`, {
      headers: { cookie: other },
    });
    expect(elsewhere.status).not.toBe(401);
  });
});

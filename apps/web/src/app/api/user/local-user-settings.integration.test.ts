import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import {
  createSourceRepo,
  makeTempDir,
  startGitHubStandIn,
  type GitHubStandIn,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signIn, startStack, type Stack } from '@/testing/stack';

interface Connection {
  github: { connected: boolean; source: string | null };
}

/**
 * Local mode (no Supabase): the owner's GitHub token pasted, replaced and removed through
 * /api/user/github-token — stored encrypted under GROVE_DATA_DIR, used server-side, never
 * returned — and preferences kept in a file there.
 */
describe('local mode: GitHub token and preferences under GROVE_DATA_DIR', () => {
  let github: GitHubStandIn;
  let stack: Stack;
  let cookie: string;
  const temp = makeTempDir('grove-local-user-');

  beforeAll(async () => {
    github = await startGitHubStandIn();
    github.addRepo('octo/hello', createSourceRepo(path.join(temp.dir, 'hello')));
    stack = await startStack({ GITHUB_URL: github.url, GITHUB_API_URL: github.apiUrl });
    cookie = await signIn(stack.webUrl);
  });

  afterAll(async () => {
    await stack?.stop();
    await github?.close();
    temp.cleanup();
  });

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${stack.webUrl}${p}`, {
      ...init,
      headers: {
        cookie,
        origin: stack.webUrl,
        'sec-fetch-site': 'same-origin',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  const paste = (token: string) =>
    api('/api/user/github-token', { method: 'PUT', body: JSON.stringify({ token }) });
  const vaultFile = () => path.join(stack.dataDir, 'github-token.json');
  const errorCode = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  it('pastes, uses, replaces and removes the token, which never leaves the server', async () => {
    const before = (await (await api('/api/user/github-token')).json()) as Connection;
    expect(before.github).toMatchObject({ connected: false, source: null });
    expect(await errorCode(await api('/api/user/repos'))).toBe('github_token_required');

    const invalid = await paste('not a token');
    expect(invalid.status).toBe(422);
    const crossSite = await api('/api/user/github-token', {
      method: 'PUT',
      body: JSON.stringify({ token: github.token }),
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(existsSync(vaultFile())).toBe(false);

    const pasted = await paste(github.token);
    expect(pasted.status).toBe(200);
    const pastedText = await pasted.text();
    expect(pastedText).not.toContain(github.token);
    expect((JSON.parse(pastedText) as Connection).github).toMatchObject({
      connected: true,
      source: 'vault',
    });
    const stored = readFileSync(vaultFile(), 'utf8');
    expect(stored).not.toContain(github.token);
    expect(stored).toMatch(/"accessTokenEnc": "[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+"/);
    expect(statSync(vaultFile()).mode & 0o777).toBe(0o600);

    // The stored token is what the server uses with GitHub.
    const repos = await api('/api/user/repos');
    expect(repos.status).toBe(200);
    const reposText = await repos.text();
    expect(JSON.parse(reposText)).toEqual({
      repos: [{ fullName: 'octo/hello', defaultBranch: 'main', private: true }],
    });
    expect(reposText).not.toContain(github.token);
    const settings = await (await api('/settings')).text();
    expect(settings).toContain('stored encrypted');
    expect(settings).not.toContain(github.token);

    // Replaced by a token GitHub does not accept: the new one is used (and refused).
    const wrong = `ghp_${'x'.repeat(36)}`;
    expect((await paste(wrong)).status).toBe(200);
    const replaced = readFileSync(vaultFile(), 'utf8');
    expect(replaced).not.toBe(stored);
    expect(replaced).not.toContain(wrong);
    expect((await api('/api/user/repos')).ok).toBe(false);

    const removed = await api('/api/user/github-token', { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect(existsSync(vaultFile())).toBe(false);
    const after = (await (await api('/api/user/github-token')).json()) as Connection;
    expect(after.github).toMatchObject({ connected: false });
    expect(await errorCode(await api('/api/user/repos'))).toBe('github_token_required');
    for (const line of [...stack.web.output, ...stack.worker.output]) {
      expect(line).not.toContain(github.token);
      expect(line).not.toContain(wrong);
    }
  });

  it('keeps preferences in a file under GROVE_DATA_DIR', async () => {
    const saved = await api('/api/user/preferences', {
      method: 'PUT',
      body: JSON.stringify({ theme: 'light', terminalFontSize: 14 }),
    });
    expect(saved.status).toBe(200);
    const file = JSON.parse(readFileSync(path.join(stack.dataDir, 'preferences.json'), 'utf8'));
    expect(Object.values(file as Record<string, unknown>)).toEqual([
      { theme: 'light', defaultBaseBranch: null, terminalFontSize: 14 },
    ]);
    const read = (await (await api('/api/user/preferences')).json()) as {
      preferences: { theme: string };
    };
    expect(read.preferences.theme).toBe('light');
    expect(
      (await api('/api/user/preferences', { method: 'PUT', body: '{"theme":1}' })).status,
    ).toBe(422);
  });

  it('renders every page in the chosen theme; signed out, the device decides', async () => {
    const themeOf = async (page: string, headers: Record<string, string>) => {
      const html = await (await fetch(`${stack.webUrl}${page}`, { headers })).text();
      return /<html[^>]*data-theme="(\w+)"/.exec(html)?.[1];
    };
    await api('/api/user/preferences', { method: 'PUT', body: JSON.stringify({ theme: 'dark' }) });
    expect(await themeOf('/settings', { cookie })).toBe('dark');
    await api('/api/user/preferences', { method: 'PUT', body: JSON.stringify({ theme: 'light' }) });
    expect(await themeOf('/', { cookie })).toBe('light');
    expect(await themeOf('/settings', { cookie })).toBe('light');
    expect(await themeOf('/auth/login', {})).toBe('system');
    // Local mode records no activity, so /settings offers none.
    expect(
      await (await fetch(`${stack.webUrl}/settings`, { headers: { cookie } })).text(),
    ).not.toContain('Recent activity');
  });
});

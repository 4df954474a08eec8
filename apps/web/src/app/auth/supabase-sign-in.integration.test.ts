import { type GitHubStandIn, type SupabaseStandUp } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { browse as browseAs, CookieJar } from '@/testing/browser-session';
import { type Stack } from '@/testing/stack';
import { startSupabaseStack, type SupabaseStack } from '@/testing/supabase-stack';

/**
 * The session the browser holds in Supabase's `sb-*` cookies: each cookie's chunks (`.0`,
 * `.1`, …) joined, and a `base64-` value decoded (base64url of JSON), as @supabase/ssr reads them.
 */
function readSupabaseCookies(jar: CookieJar): Map<string, unknown> {
  const chunks = new Map<string, { index: number; value: string }[]>();
  for (const [name, { value }] of jar.cookies) {
    const match = /^(sb-.+?)(?:\.(\d+))?$/.exec(name);
    if (!match) continue;
    const parts = chunks.get(match[1]!) ?? [];
    parts.push({ index: Number(match[2] ?? 0), value });
    chunks.set(match[1]!, parts);
  }
  const decoded = new Map<string, unknown>();
  for (const [name, parts] of chunks) {
    const joined = parts
      .sort((a, b) => a.index - b.index)
      .map((part) => part.value)
      .join('');
    const json = joined.startsWith('base64-')
      ? Buffer.from(joined.slice('base64-'.length), 'base64url').toString('utf8')
      : decodeURIComponent(joined);
    decoded.set(name, JSON.parse(json));
  }
  return decoded;
}

describe('Supabase mode: GitHub sign-in end to end', () => {
  let github: GitHubStandIn;
  let supabase: SupabaseStandUp;
  let stack: Stack;
  let env: SupabaseStack | undefined;

  beforeAll(async () => {
    env = await startSupabaseStack({
      env: {
        GROVE_CHAT_DAILY_BUDGET_USD: '7',
        // Logins compare without case: octo may sign in, nobody else but hubot.
        GROVE_ALLOWED_USERS: 'OCTO, hubot',
      },
    });
    ({ github, supabase, stack } = env);
  });

  afterAll(async () => {
    await env?.stop();
  });

  const browse = (
    jar: CookieJar,
    url: string,
    init: RequestInit = {},
    stopBefore?: (url: URL) => boolean,
  ) => browseAs(stack.webUrl, jar, url, init, stopBefore);
  /** The login page's form, asking to come back to /settings, followed through GitHub. */
  const signInWithGitHub = (jar: CookieJar, stopBefore?: (url: URL) => boolean) =>
    browse(
      jar,
      `${stack.webUrl}/auth/github`,
      {
        method: 'POST',
        headers: {
          origin: stack.webUrl,
          'sec-fetch-site': 'same-origin',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'next=%2Fsettings',
      },
      stopBefore,
    );

  /**
   * The same sign-in, stopping at the callback to keep its own answer (the Set-Cookie lines
   * that carry the new session), then on to the page asked for. `callbackHeaders` go to the
   * callback only, e.g. the X-Forwarded-Proto of a TLS-terminating proxy.
   */
  const signInThroughCallback = async (
    jar: CookieJar,
    callbackHeaders: Record<string, string> = {},
  ) => {
    const toCallback = await signInWithGitHub(
      jar,
      (url) => url.origin === stack.webUrl && url.pathname === '/auth/callback',
    );
    const callbackUrl = new URL(toCallback.headers.get('location')!, toCallback.url);
    expect(callbackUrl.pathname).toBe('/auth/callback');
    const callback = await fetch(callbackUrl, {
      headers: { cookie: jar.header(), ...callbackHeaders },
      redirect: 'manual',
    });
    jar.take(callback);
    expect(callback.status).toBe(303);
    const landed = await browse(
      jar,
      new URL(callback.headers.get('location')!, callbackUrl).toString(),
    );
    return { callback, landed };
  };

  /** No GitHub token, and no provider-token field, in any cookie the callback set. */
  const expectNoGitHubTokenInCookies = (callback: Response, jar: CookieJar) => {
    const secrets = [github.token, ...github.issuedTokens];
    const lines = callback.headers.getSetCookie();
    expect(lines.some((line) => line.startsWith('sb-'))).toBe(true);
    for (const line of lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
    const held = readSupabaseCookies(jar);
    const session = [...held].find(([name]) => /^sb-.+-auth-token$/.test(name))?.[1];
    // Decoded for real: the session is there, with its Supabase tokens.
    expect(session).toMatchObject({ access_token: expect.any(String) as string });
    const decoded = JSON.stringify([...held]);
    for (const secret of secrets) expect(decoded).not.toContain(secret);
    expect(decoded).not.toContain('provider_token');
    expect(decoded).not.toContain('provider_refresh_token');
  };

  it('signs in with GitHub, vaults the token encrypted, lists repos, and signs out', async () => {
    const jar = new CookieJar();
    // Signed out, /settings leads to GitHub sign-in, remembering to come back.
    const gate = await fetch(`${stack.webUrl}/settings`, { redirect: 'manual' });
    expect(gate.status).toBe(307);
    const toLogin = new URL(gate.headers.get('location')!, stack.webUrl);
    expect(`${toLogin.pathname}${toLogin.search}`).toBe('/auth/login?next=%2Fsettings');
    const login = await (await fetch(`${stack.webUrl}/auth/login?next=%2Fsettings`)).text();
    expect(login).toContain('Sign in with GitHub');
    expect(login).toContain('name="next" value="/settings"');

    const crossSite = await fetch(`${stack.webUrl}/auth/github`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);

    const { callback, landed } = await signInThroughCallback(jar);
    expect(landed.status).toBe(200);
    // Back on the page asked for, and the cookie that carried it across GitHub is gone.
    expect(landed.url).toBe(`${stack.webUrl}/settings`);
    expect(jar.cookies.has('grove_next')).toBe(false);
    expect(github.requests.some((r) => r.path === '/login/oauth/authorize')).toBe(true);

    // Signed in: Supabase's session cookies, HttpOnly and SameSite=Lax.
    const session = [...jar.cookies].filter(([name]) => name.startsWith('sb-'));
    expect(session.length).toBeGreaterThan(0);
    for (const [, cookie] of session) {
      expect(cookie.attributes).toMatch(/HttpOnly/i);
      expect(cookie.attributes).toMatch(/SameSite=lax/i);
      // Plain http here: a Secure cookie would not be kept by a browser on a non-local host.
      expect(cookie.attributes).not.toMatch(/Secure/i);
    }
    // The GitHub token went to the vault only: the session cookies carry Supabase's tokens.
    expectNoGitHubTokenInCookies(callback, jar);

    // The database holds ciphertext, never the token.
    const rows = await supabase.sql<{ access_token_enc: string; github_login: string }[]>`
      select access_token_enc, github_login from public.github_tokens`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.github_login).toBe('octo');
    expect(rows[0]!.access_token_enc).not.toContain(github.token);
    expect(rows[0]!.access_token_enc).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const dump = JSON.stringify(await supabase.sql`select * from public.github_tokens`);
    expect(dump).not.toContain(github.token);

    // The repo list comes from GitHub (the stand-in), with the decrypted token.
    const repos = await browse(jar, `${stack.webUrl}/api/user/repos`);
    expect(repos.status).toBe(200);
    const body = await repos.text();
    expect(JSON.parse(body)).toEqual({
      repos: [{ fullName: 'octo/hello', defaultBranch: 'main', private: true }],
    });
    expect(body).not.toContain(github.token);
    expect(github.requests.some((r) => r.path === '/api/v3/user/repos' && r.authorized)).toBe(true);

    // A session on a GitHub repository: the worker clones with the vaulted token, syncs the
    // session to Supabase, and the list is read from Supabase overlaid with the worker.
    const created = await browse(jar, `${stack.webUrl}/api/workspace/session/create`, {
      method: 'POST',
      headers: {
        origin: stack.webUrl,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ repo: 'octo/hello' }),
    });
    expect(created.status).toBe(201);
    const { session: made } = (await created.json()) as { session: { id: string } };
    const deadline = Date.now() + 15_000;
    let synced: { user_id: string; status: string }[] = [];
    while (Date.now() < deadline) {
      synced = await supabase.sql<{ user_id: string; status: string }[]>`
        select user_id, status from public.workspace_sessions where id = ${made.id}`;
      if (synced[0]?.status === 'active') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(synced[0]?.status).toBe('active');
    const listed = await browse(jar, `${stack.webUrl}/api/workspace/sessions`);
    expect(listed.status).toBe(200);
    expect(listed.headers.get('x-grove-sessions-source')).toBe('supabase+worker');
    const { sessions } = (await listed.json()) as { sessions: { id: string }[] };
    expect(sessions.map((s) => s.id)).toEqual([made.id]);

    const settings = await (await browse(jar, `${stack.webUrl}/settings`)).text();
    expect(settings).toContain('Connected as octo');
    expect(settings).toContain('$7.00');
    expect(settings).not.toContain(github.token);

    const out = await browse(jar, `${stack.webUrl}/auth/signout`, {
      method: 'POST',
      headers: { origin: stack.webUrl, 'sec-fetch-site': 'same-origin' },
    });
    expect(out.status).toBe(200);
    expect([...jar.cookies.keys()].filter((name) => name.startsWith('sb-'))).toEqual([]);
    const after = await browse(jar, `${stack.webUrl}/api/user/repos`);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('marks the session cookies Secure when the browser came over https, still without the GitHub token', async () => {
    const jar = new CookieJar();
    // The callback as a TLS-terminating proxy forwards it.
    const { callback, landed } = await signInThroughCallback(jar, {
      'x-forwarded-proto': 'https',
    });
    expect(landed.url).toBe(`${stack.webUrl}/settings`);
    const lines = callback.headers.getSetCookie().filter((line) => line.startsWith('sb-'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/;\s*Secure/i);
    expectNoGitHubTokenInCookies(callback, jar);
    // The vaulted token still serves the user.
    const repos = await browse(jar, `${stack.webUrl}/api/user/repos`);
    expect(repos.status).toBe(200);
  });

  it('does not let in a Supabase account that never signed in through GitHub here', async () => {
    // An email sign-up, straight at Supabase Auth with the public anon key: a valid Supabase
    // session, no GitHub login Grove recorded, no GitHub token.
    const signup = await fetch(`${supabase.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { apikey: supabase.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'eve@example.com', password: 'a-long-password-1234' }),
    });
    expect(signup.status, await signup.clone().text()).toBe(200);
    const session = (await signup.json()) as { access_token?: string };
    expect(session.access_token).toBeTruthy();
    const jar = new CookieJar();
    const name = `sb-${new URL(supabase.url).hostname.split('.')[0]}-auth-token`;
    jar.cookies.set(name, {
      value: `base64-${Buffer.from(JSON.stringify(session)).toString('base64url')}`,
      attributes: 'Path=/',
    });
    for (const url of ['/api/workspace/sessions', '/api/user/preferences', '/api/workers/status'])
      expect((await browse(jar, `${stack.webUrl}${url}`)).status, url).toBe(401);
    const create = await browse(jar, `${stack.webUrl}/api/workspace/session/create`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: stack.webUrl,
        'sec-fetch-site': 'same-origin',
      },
      body: JSON.stringify({ repo: 'octo/hello' }),
    });
    expect(create.status).toBe(401);
  });

  it('refuses a GitHub account that is not on GROVE_ALLOWED_USERS: no session, no token kept', async () => {
    const owner = { ...github.user };
    Object.assign(github.user, { login: 'mallory', id: 6666, email: 'mallory@example.com' });
    try {
      const jar = new CookieJar();
      const landed = await signInWithGitHub(jar);
      expect(new URL(landed.url).pathname + new URL(landed.url).search).toBe(
        '/auth/login?error=not_allowed',
      );
      expect(await landed.text()).toContain('This Grove is not open to your GitHub account');
      expect([...jar.cookies.keys()].filter((name) => name.startsWith('sb-'))).toEqual([]);
      expect((await browse(jar, `${stack.webUrl}/api/workspace/sessions`)).status).toBe(401);
      const kept = await supabase.sql<{ github_login: string }[]>`
        select github_login from public.github_tokens where github_login = 'mallory'`;
      expect(kept).toEqual([]);
    } finally {
      Object.assign(github.user, owner);
    }
  });
});

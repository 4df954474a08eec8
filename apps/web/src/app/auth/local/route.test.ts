import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));

const TOKEN = 'test-access-token-0123456789abcdef';
const SECRET = 'a-session-secret-of-at-least-thirty-two-chars';
vi.mock('@/env', () => ({
  env: () => ({ mode: 'local', accessToken: TOKEN, sessionSecret: SECRET }),
}));

const { GET, POST } = await import('./route');
const { readSessionCookie } = await import('@/lib/auth/local-session');

const BASE = 'http://127.0.0.1:3000';

/** The sign-in form as a browser on this site posts it. */
function postForm(
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return POST(
    new NextRequest(`${BASE}/auth/local`, {
      method: 'POST',
      headers: {
        host: '127.0.0.1:3000',
        origin: BASE,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

async function expectSignedIn(response: Response, location: string): Promise<void> {
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe(location);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const setCookie = response.headers.getSetCookie()[0] ?? '';
  expect(setCookie).toMatch(/^grove_session=/);
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=lax/i);
  const value = setCookie.split(';')[0]!.slice('grove_session='.length);
  expect((await readSessionCookie(SECRET, value))?.sub).toBe('local-owner');
}

describe('POST /auth/local (the sign-in form)', () => {
  it('signs in with the right token and returns to `next`', async () => {
    await expectSignedIn(
      await postForm({ token: TOKEN, next: '/sessions/abcdefghij0123' }),
      '/sessions/abcdefghij0123',
    );
    await expectSignedIn(await postForm({ token: TOKEN }), '/');
  });

  it('sends a hostile `next` to / instead', async () => {
    for (const next of ['//evil.com', 'https://evil.com', '/\\evil.com', '/\t/evil.com']) {
      const response = await postForm({ token: TOKEN, next });
      expect(response.status, next).toBe(303);
      expect(response.headers.get('location'), next).toBe('/');
    }
  });

  it('refuses a wrong token with 401 and no cookie, and sends a browser back to the form', async () => {
    const json = await postForm({ token: 'wrong-token', next: '/workers' });
    expect(json.status).toBe(401);
    expect(json.headers.getSetCookie()).toEqual([]);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    // A 303 to the form with the reason: a reload of the next page does not post the form again.
    const page = await postForm(
      { token: 'wrong-token', next: '/workers' },
      { accept: 'text/html,application/xhtml+xml' },
    );
    expect(page.status).toBe(303);
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(page.headers.get('location')).toBe('/sign-in?error=wrong_token&next=%2Fworkers');
  });

  it('refuses a form posted from another site, even with the right token', async () => {
    for (const headers of [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': '' },
      { origin: 'null', 'sec-fetch-site': '' },
      { origin: BASE, 'sec-fetch-site': 'same-site' },
    ]) {
      const response = await postForm({ token: TOKEN }, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it('makes the cookie Secure when the browser came over https (a TLS-terminating proxy)', async () => {
    const secure = (response: Response) => /;\s*Secure/i.test(response.headers.getSetCookie()[0]!);
    expect(secure(await postForm({ token: TOKEN }))).toBe(false);
    expect(secure(await postForm({ token: TOKEN }, { 'x-forwarded-proto': 'https' }))).toBe(true);
  });

  it('wants a form body: no JSON, nothing oversized', async () => {
    const json = await postForm({}, { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    const huge = await postForm({ token: 'x'.repeat(10_000) });
    expect(huge.status).toBe(413);
    const noToken = await postForm({ next: '/' });
    expect(noToken.status).toBe(422);
  });
});

describe('GET /auth/local (the link printed at startup)', () => {
  const get = (query: string, headers: Record<string, string> = {}) =>
    GET(new NextRequest(`${BASE}/auth/local?${query}`, { headers }));

  it('still signs in, to / or to a same-site `next`', async () => {
    await expectSignedIn(await get(`token=${TOKEN}`), '/');
    await expectSignedIn(await get(`token=${TOKEN}&next=%2Fsettings`), '/settings');
    await expectSignedIn(await get(`token=${TOKEN}&next=%2F%2Fevil.com`), '/');
  });

  it('still refuses a wrong token with 401, a page with a way back for a browser', async () => {
    expect((await get('token=wrong-token')).status).toBe(401);
    const page = await get('token=wrong-token', { accept: 'text/html' });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('href="/sign-in"');
  });
});

describe('too many wrong tokens', () => {
  const from = (address: string, extra: Record<string, string> = {}) => ({
    'x-forwarded-for': address,
    ...extra,
  });

  it('pause sign-in from that client, even with the right token, and only that client', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await postForm({ token: `wrong-${i}` }, from('203.0.113.7'));
      expect(response.status).toBe(401);
    }
    const refused = await postForm({ token: TOKEN }, from('203.0.113.7'));
    expect(refused.status).toBe(429);
    expect(refused.headers.getSetCookie()).toEqual([]);
    const { error } = (await refused.json()) as {
      error: { code: string; retryAfter: number; limit: number; remaining: number; reset: number };
    };
    expect(error).toMatchObject({ code: 'rate_limited', limit: 10, remaining: 0 });
    expect(error.retryAfter).toBeGreaterThan(800);
    expect(error.retryAfter).toBeLessThanOrEqual(900);
    expect(error.reset).toBeGreaterThan(Date.now() / 1000);
    expect(refused.headers.get('retry-after')).toBe(String(error.retryAfter));

    // A browser: back to the form (POST), or a page with the status (the link).
    const form = await postForm({ token: TOKEN }, from('203.0.113.7', { accept: 'text/html' }));
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/sign-in?error=rate_limited');
    const link = await GET(
      new NextRequest(`${BASE}/auth/local?token=${TOKEN}`, {
        headers: from('203.0.113.7', { accept: 'text/html' }),
      }),
    );
    expect(link.status).toBe(429);
    expect(link.headers.getSetCookie()).toEqual([]);
    expect(await link.text()).toContain('Too many wrong access tokens');

    await expectSignedIn(await postForm({ token: TOKEN }, from('198.51.100.2')), '/');
  });

  it("are not counted from another site's images or frames, which are refused", async () => {
    const embedded = (dest: string, token: string) =>
      GET(
        new NextRequest(`${BASE}/auth/local?token=${token}`, {
          headers: from('127.0.0.1', {
            'sec-fetch-site': 'cross-site',
            'sec-fetch-mode': dest === 'iframe' ? 'navigate' : 'no-cors',
            'sec-fetch-dest': dest,
          }),
        }),
      );
    for (let i = 0; i < 120; i++) {
      const answer = await embedded(['image', 'iframe', 'script', 'empty'][i % 4]!, `wrong-${i}`);
      expect(answer.status).toBe(403);
    }
    expect((await embedded('image', TOKEN)).status).toBe(403);
    // The owner's link still works, opened directly or followed from another site.
    await expectSignedIn(await GET(new NextRequest(`${BASE}/auth/local?token=${TOKEN}`)), '/');
    const followed = await GET(
      new NextRequest(`${BASE}/auth/local?token=${TOKEN}`, {
        headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'document' },
      }),
    );
    await expectSignedIn(followed, '/');
  });

  it("are counted apart when another site's page opens the link, which cannot pause the owner's", async () => {
    const opened = (token: string) =>
      GET(
        new NextRequest(`${BASE}/auth/local?token=${token}`, {
          headers: from('127.0.0.1', {
            'sec-fetch-site': 'cross-site',
            'sec-fetch-mode': 'navigate',
            'sec-fetch-dest': 'document',
          }),
        }),
      );
    // A page sending its window to wrong links over and over: paused, for such links only.
    for (let i = 0; i < 100; i++) expect((await opened(`wrong-${i}`)).status).toBe(401);
    expect((await opened('wrong-100')).status).toBe(429);
    expect((await opened(TOKEN)).status).toBe(429);
    // The owner's link, opened directly, and the form still sign in.
    await expectSignedIn(await GET(new NextRequest(`${BASE}/auth/local?token=${TOKEN}`)), '/');
    await expectSignedIn(await postForm({ token: TOKEN }), '/');
  });
});

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

  it('refuses a wrong token with 401 and no cookie: JSON, or a page for a browser', async () => {
    const json = await postForm({ token: 'wrong-token', next: '/workers' });
    expect(json.status).toBe(401);
    expect(json.headers.getSetCookie()).toEqual([]);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    const page = await postForm(
      { token: 'wrong-token', next: '/workers' },
      { accept: 'text/html,application/xhtml+xml' },
    );
    expect(page.status).toBe(401);
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('href="/sign-in?next=%2Fworkers"');
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

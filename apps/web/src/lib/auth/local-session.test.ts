import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));

const { signSessionCookie, verifySessionCookie } = await import('./local-session');

const SECRET = 'a-session-secret-of-at-least-thirty-two-chars';

/** A cookie whose `exp` (whole seconds) is at least `seconds` away, and that `exp` in ms. */
async function cookieExpiringIn(seconds: number): Promise<{ cookie: string; expMs: number }> {
  const exp = Math.ceil(Date.now() / 1000) + seconds;
  const cookie = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('local-owner')
    .setAudience('grove-session')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(SECRET));
  return { cookie, expMs: exp * 1000 };
}

describe('local session cookie (verified once, then cached until it expires)', () => {
  it('accepts its own cookie, again and again', async () => {
    const cookie = await signSessionCookie(SECRET, 'local-owner');
    expect(await verifySessionCookie(SECRET, cookie)).toBe('local-owner');
    expect(await verifySessionCookie(SECRET, cookie)).toBe('local-owner');
  });

  it('refuses a cached cookie under another secret, a tampered one, and none', async () => {
    const cookie = await signSessionCookie(SECRET, 'local-owner');
    expect(await verifySessionCookie(SECRET, cookie)).toBe('local-owner');
    expect(await verifySessionCookie(`${SECRET}-rotated`, cookie)).toBeUndefined();
    const [header, payload, signature] = cookie.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'someone-else', aud: 'grove-session' }));
    expect(
      await verifySessionCookie(SECRET, `${header}.${forged.toString('base64url')}.${signature}`),
    ).toBeUndefined();
    expect(await verifySessionCookie(SECRET, `${header}.${payload}.x${signature}`)).toBeUndefined();
    expect(await verifySessionCookie(SECRET, undefined)).toBeUndefined();
  });

  it('stops accepting a cached cookie the moment it expires', async () => {
    const { cookie, expMs } = await cookieExpiringIn(1);
    expect(await verifySessionCookie(SECRET, cookie)).toBe('local-owner');
    await new Promise((resolve) => setTimeout(resolve, expMs - Date.now() + 50));
    expect(await verifySessionCookie(SECRET, cookie)).toBeUndefined();
  });
});

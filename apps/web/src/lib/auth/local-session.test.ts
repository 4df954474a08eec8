import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));

const { readSessionCookie, signSessionCookie, verifySessionCookie } =
  await import('./local-session');

const SECRET = 'a-session-secret-of-at-least-thirty-two-chars';
const NONE_REVOKED = { has: () => false };

/** A cookie whose `exp` (whole seconds) is at least `seconds` away, and that `exp` in ms. */
async function cookieExpiringIn(seconds: number): Promise<{ cookie: string; expMs: number }> {
  const exp = Math.ceil(Date.now() / 1000) + seconds;
  const cookie = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('local-owner')
    .setAudience('grove-session')
    .setIssuedAt()
    .setJti(`test-${exp}-${Math.random()}`)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(SECRET));
  return { cookie, expMs: exp * 1000 };
}

describe('local session cookie (verified once, then cached until it expires)', () => {
  it('accepts its own cookie, again and again', async () => {
    const cookie = await signSessionCookie(SECRET, 'local-owner');
    expect(await verifySessionCookie(SECRET, cookie, NONE_REVOKED)).toBe('local-owner');
    expect(await verifySessionCookie(SECRET, cookie, NONE_REVOKED)).toBe('local-owner');
  });

  it('refuses a cached cookie under another secret, a tampered one, and none', async () => {
    const cookie = await signSessionCookie(SECRET, 'local-owner');
    expect(await verifySessionCookie(SECRET, cookie, NONE_REVOKED)).toBe('local-owner');
    expect(await verifySessionCookie(`${SECRET}-rotated`, cookie, NONE_REVOKED)).toBeUndefined();
    const [header, payload, signature] = cookie.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'someone-else', aud: 'grove-session' }));
    expect(
      await verifySessionCookie(
        SECRET,
        `${header}.${forged.toString('base64url')}.${signature}`,
        NONE_REVOKED,
      ),
    ).toBeUndefined();
    expect(
      await verifySessionCookie(SECRET, `${header}.${payload}.x${signature}`, NONE_REVOKED),
    ).toBeUndefined();
    expect(await verifySessionCookie(SECRET, undefined, NONE_REVOKED)).toBeUndefined();
  });

  it('stops accepting a cached cookie the moment it expires', async () => {
    const { cookie, expMs } = await cookieExpiringIn(1);
    expect(await verifySessionCookie(SECRET, cookie, NONE_REVOKED)).toBe('local-owner');
    await new Promise((resolve) => setTimeout(resolve, expMs - Date.now() + 50));
    expect(await verifySessionCookie(SECRET, cookie, NONE_REVOKED)).toBeUndefined();
  });

  it('refuses a signed-out cookie at once, cached or not, and one without an id', async () => {
    const cookie = await signSessionCookie(SECRET, 'local-owner');
    const claims = await readSessionCookie(SECRET, cookie);
    expect(claims).toMatchObject({ sub: 'local-owner', jti: expect.any(String) });
    const revoked = new Set<string>();
    expect(await verifySessionCookie(SECRET, cookie, revoked)).toBe('local-owner');
    revoked.add(claims!.jti);
    expect(await verifySessionCookie(SECRET, cookie, revoked)).toBeUndefined();
    // Another cookie of the same user is not affected.
    const other = await signSessionCookie(SECRET, 'local-owner');
    expect(await verifySessionCookie(SECRET, other, revoked)).toBe('local-owner');

    const noId = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('local-owner')
      .setAudience('grove-session')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifySessionCookie(SECRET, noId, NONE_REVOKED)).toBeUndefined();
  });
});

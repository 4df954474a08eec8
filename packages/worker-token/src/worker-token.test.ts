import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';

import { bodyDigest, secretKey, signWorkerToken } from './sign';
import { assertBodyMatches, createReplayGuard, verifyWorkerToken } from './verify';

const secret = secretKey('s'.repeat(40));
const request = { method: 'GET', path: '/sessions' };

describe('worker tokens', () => {
  it('round-trips the user for the request it was signed for', async () => {
    const token = await signWorkerToken(secret, { userId: 'u1', login: 'octo' }, request);
    const claims = await verifyWorkerToken(`Bearer ${token}`, secret, request);
    expect(claims.sub).toBe('u1');
    expect(claims.login).toBe('octo');
  });

  it('refuses a missing, foreign, replayed-elsewhere or long-lived token', async () => {
    const token = await signWorkerToken(secret, { userId: 'u1' }, request);
    await expect(verifyWorkerToken(undefined, secret, request)).rejects.toMatchObject({
      status: 401,
    });
    await expect(
      verifyWorkerToken(`Bearer ${token}`, secretKey('x'.repeat(40)), request),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      verifyWorkerToken(`Bearer ${token}`, secret, { method: 'DELETE', path: '/sessions' }),
    ).rejects.toMatchObject({ status: 401 });
    const now = Math.floor(Date.now() / 1000);
    const longLived = await new SignJWT({ mth: 'GET', pth: '/sessions' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuer('grove-web')
      .setAudience('grove-worker')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(secret);
    await expect(verifyWorkerToken(`Bearer ${longLived}`, secret, request)).rejects.toMatchObject({
      status: 401,
    });
    const expired = await new SignJWT({ mth: 'GET', pth: '/sessions' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuer('grove-web')
      .setAudience('grove-worker')
      .setIssuedAt(now - 120)
      .setExpirationTime(now - 70)
      .sign(secret);
    await expect(verifyWorkerToken(`Bearer ${expired}`, secret, request)).rejects.toMatchObject({
      status: 401,
    });
  });
});

describe('the request a token names', () => {
  it('includes the query: a token for one file is refused for another', async () => {
    const subject = { userId: 'alice' };
    const target = '/sessions/s1/file?path=README.md';
    const token = await signWorkerToken(secret, subject, { method: 'GET', path: target });
    await expect(
      verifyWorkerToken(`Bearer ${token}`, secret, { method: 'GET', path: target }),
    ).resolves.toMatchObject({ sub: 'alice' });
    for (const other of ['/sessions/s1/file?path=.env', '/sessions/s1/file'])
      await expect(
        verifyWorkerToken(`Bearer ${token}`, secret, { method: 'GET', path: other }),
      ).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe('one request only', () => {
  it('accepts a token once when given a replay guard', async () => {
    const guard = createReplayGuard();
    const token = await signWorkerToken(secret, { userId: 'u1' }, request);
    await expect(
      verifyWorkerToken(`Bearer ${token}`, secret, request, guard),
    ).resolves.toBeDefined();
    await expect(
      verifyWorkerToken(`Bearer ${token}`, secret, request, guard),
    ).rejects.toMatchObject({
      code: 'unauthorized',
    });
    const fresh = await signWorkerToken(secret, { userId: 'u1' }, request);
    await expect(
      verifyWorkerToken(`Bearer ${fresh}`, secret, request, guard),
    ).resolves.toBeDefined();
  });

  it('forgets ids once their tokens could not be accepted anyway', () => {
    let now = 1_000_000_000_000;
    const guard = createReplayGuard(() => now);
    const exp = now / 1000 + 30;
    expect(guard.claim('a'.repeat(36), exp)).toBe(true);
    expect(guard.claim('a'.repeat(36), exp)).toBe(false);
    now += 20_000;
    expect(guard.claim('b'.repeat(36), exp + 20)).toBe(true);
    expect(guard.size).toBe(2);
    // Past the first one's expiry and the clock tolerance: swept on the next claim.
    now += 20_000;
    expect(guard.claim('c'.repeat(36), exp + 40)).toBe(true);
    expect(guard.size).toBe(2);
  });

  it("binds the body's digest, and a token without a body to no body", async () => {
    const post = { method: 'POST', path: '/chat' };
    const body = JSON.stringify({ sessionId: 's1', message: 'hi' });
    const claims = await verifyWorkerToken(
      `Bearer ${await signWorkerToken(secret, { userId: 'u1' }, { ...post, body })}`,
      secret,
      post,
    );
    expect(claims.bdy).toBe(bodyDigest(Buffer.from(body)));
    expect(() => assertBodyMatches(claims, bodyDigest(body))).not.toThrow();
    expect(() => assertBodyMatches(claims, bodyDigest(`${body} `))).toThrow(/worker token/);
    expect(() => assertBodyMatches(claims, undefined)).toThrow(/worker token/);
    const bare = await verifyWorkerToken(
      `Bearer ${await signWorkerToken(secret, { userId: 'u1' }, post)}`,
      secret,
      post,
    );
    expect(bare.bdy).toBeUndefined();
    expect(() => assertBodyMatches(bare, undefined)).not.toThrow();
    expect(() => assertBodyMatches(bare, bodyDigest(body))).toThrow(/worker token/);
  });
});

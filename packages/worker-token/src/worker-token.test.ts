import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';

import { secretKey, signWorkerToken } from './sign';
import { verifyWorkerToken } from './verify';

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

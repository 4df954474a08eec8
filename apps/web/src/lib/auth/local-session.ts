import 'server-only';

import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';

import { jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';

export const SESSION_COOKIE = 'grove_session';
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
/** The local owner's user id: the one user of a local-mode install. */
export const LOCAL_OWNER_ID = 'local-owner';

/** Compares the offered access token with the real one in constant time. */
export function accessTokenMatches(offered: string, expected: string): boolean {
  if (!expected) return false;
  const a = createHash('sha256').update(offered).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function signSessionCookie(secret: string, userId: string): Promise<string> {
  return (
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setAudience('grove-session')
      // Its own id, so that signing out can end this cookie and no other.
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${SESSION_MAX_AGE_SECONDS}s`)
      .sign(new TextEncoder().encode(secret))
  );
}

/** What a valid session cookie says. */
export interface SessionClaims {
  sub: string;
  jti: string;
  /** Expiry, in seconds. */
  exp: number;
}

/**
 * Cookies already verified, until they expire: every API request carries the same cookie, and
 * jose verifies through WebCrypto (a thread-pool job, ~0.5 ms on the path of every chat
 * message's first event). A hit skips nothing a fresh check would catch: the entry is keyed by
 * the exact cookie and secret, and dies with the cookie's own `exp`; sign-outs are checked on
 * every call.
 */
const verified = new LRUCache<string, SessionClaims>({ max: 1024 });

/** The claims of a session cookie signed with `secret` and not expired, or undefined. */
export async function readSessionCookie(
  secret: string,
  value: string | undefined,
): Promise<SessionClaims | undefined> {
  if (!value || !secret) return undefined;
  const cacheKey = `${secret}\u0000${value}`;
  const known = verified.get(cacheKey);
  if (known !== undefined) return known;
  try {
    const { payload } = await jwtVerify(value, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      audience: 'grove-session',
    });
    const { sub, jti, exp } = payload;
    // A cookie without an id could never be signed out: not accepted.
    if (sub === undefined || jti === undefined || exp === undefined) return undefined;
    const claims = { sub, jti, exp };
    verified.set(cacheKey, claims, { ttl: exp * 1000 - Date.now() });
    return claims;
  } catch {
    return undefined;
  }
}

/** The user id in a valid session cookie that was not signed out, or undefined. */
export async function verifySessionCookie(
  secret: string,
  value: string | undefined,
  revoked: { has: (jti: string) => boolean },
): Promise<string | undefined> {
  const claims = await readSessionCookie(secret, value);
  return claims && !revoked.has(claims.jti) ? claims.sub : undefined;
}

export function sessionCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    path: '/',
    maxAge: SESSION_MAX_AGE_SECONDS,
  };
}

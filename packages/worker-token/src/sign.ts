import {
  WORKER_TOKEN_AUDIENCE,
  WORKER_TOKEN_ISSUER,
  WORKER_TOKEN_MAX_TTL_SECONDS,
} from '@grove/contract';
import { SignJWT } from 'jose';

export interface WorkerTokenSubject {
  userId: string;
  login?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
}

/**
 * Signs the token for one web→worker request: names the user, binds method and path, lives
 * `ttlSeconds` (at most 60). A fresh token per request keeps a leaked one nearly useless.
 */
export async function signWorkerToken(
  secret: Uint8Array,
  subject: WorkerTokenSubject,
  request: { method: string; path: string },
  ttlSeconds = 30,
): Promise<string> {
  const ttl = Math.min(ttlSeconds, WORKER_TOKEN_MAX_TTL_SECONDS);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    mth: request.method.toUpperCase(),
    pth: request.path,
    ...(subject.login ? { login: subject.login } : {}),
    ...(subject.name ? { name: subject.name } : {}),
    ...(subject.email ? { email: subject.email } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject.userId)
    .setIssuer(WORKER_TOKEN_ISSUER)
    .setAudience(WORKER_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(secret);
}

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

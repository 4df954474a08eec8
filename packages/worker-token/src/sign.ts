import {
  WORKER_TOKEN_AUDIENCE,
  WORKER_TOKEN_ISSUER,
  WORKER_TOKEN_MAX_TTL_SECONDS,
} from '@grove/contract';
import { createHmac, createSecretKey, hash, randomUUID, type KeyObject } from 'node:crypto';

export interface WorkerTokenSubject {
  userId: string;
  login?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
}

/** The request a token is for. `body`: the bytes sent, when there are any. */
export interface WorkerTokenRequest {
  method: string;
  path: string;
  body?: string | Uint8Array | undefined;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/**
 * Signs the token for one web→worker request: names the user, binds the method, the target
 * (`path`: the path and the query, as the request line sends them) and the body's digest,
 * carries a one-time id the worker accepts once, and lives `ttlSeconds` (at most 60).
 *
 * A plain HS256 JWS computed with node:crypto, on purpose: jose signs through WebCrypto,
 * whose HMAC runs as a thread-pool job (measured ~0.45 ms per token, on the path of every
 * chat message's first event); this takes microseconds. The worker verifies with jose.
 */
export function signWorkerToken(
  secret: Uint8Array,
  subject: WorkerTokenSubject,
  request: WorkerTokenRequest,
  ttlSeconds = 30,
): Promise<string> {
  // Still a promise, so callers (and a future asymmetric key) need not change.
  return Promise.resolve(signWorkerTokenSync(secret, subject, request, ttlSeconds));
}

export function signWorkerTokenSync(
  secret: Uint8Array,
  subject: WorkerTokenSubject,
  request: WorkerTokenRequest,
  ttlSeconds = 30,
): string {
  const ttl = Math.min(ttlSeconds, WORKER_TOKEN_MAX_TTL_SECONDS);
  const now = Math.floor(Date.now() / 1000);
  const payload = base64url(
    JSON.stringify({
      mth: request.method.toUpperCase(),
      pth: request.path,
      ...(request.body !== undefined && request.body.length > 0
        ? { bdy: bodyDigest(request.body) }
        : {}),
      ...(subject.login ? { login: subject.login } : {}),
      ...(subject.name ? { name: subject.name } : {}),
      ...(subject.email ? { email: subject.email } : {}),
      sub: subject.userId,
      iss: WORKER_TOKEN_ISSUER,
      aud: WORKER_TOKEN_AUDIENCE,
      iat: now,
      exp: now + ttl,
      jti: randomUUID(),
    }),
  );
  const signature = createHmac('sha256', hmacKey(secret))
    .update(`${HEADER}.${payload}`)
    .digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/**
 * The secret as a KeyObject, made once per secret. Measured on a request path (one token every
 * few ms, caches cold): createHmac with raw bytes took ~75 µs, as OpenSSL sets the key up anew
 * each time; with a KeyObject ~28 µs.
 */
const hmacKeys = new WeakMap<Uint8Array, KeyObject>();

function hmacKey(secret: Uint8Array): KeyObject {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = createSecretKey(secret);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** The `bdy` claim: SHA-256 of the body bytes, base64url (one-shot: no Hash object per token). */
export function bodyDigest(body: string | Uint8Array): string {
  return hash('sha256', body, 'base64url');
}

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

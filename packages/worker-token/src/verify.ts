import {
  AppError,
  WORKER_TOKEN_AUDIENCE,
  WORKER_TOKEN_ISSUER,
  WORKER_TOKEN_MAX_TTL_SECONDS,
  workerTokenClaimsSchema,
  type WorkerTokenClaims,
} from '@grove/contract';
import { jwtVerify } from 'jose';

/** Clock skew tolerated between web and worker. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** Remembers the ids of tokens already used, until they could no longer be accepted anyway. */
export interface ReplayGuard {
  /** True the first time an id is offered; false every time after. `exp` in seconds. */
  claim: (jti: string, exp: number) => boolean;
  readonly size: number;
}

/**
 * An in-memory guard for one worker process. A token is accepted for at most
 * WORKER_TOKEN_MAX_TTL_SECONDS plus the clock tolerance, so the set never holds more than the
 * last minute's requests; expired ids are swept as new ones come in.
 */
export function createReplayGuard(now: () => number = Date.now): ReplayGuard {
  const seen = new Map<string, number>();
  let sweepAt = 0;
  return {
    claim(jti, exp) {
      const nowSeconds = now() / 1000;
      if (nowSeconds >= sweepAt) {
        for (const [id, expiry] of seen)
          if (expiry + CLOCK_TOLERANCE_SECONDS < nowSeconds) seen.delete(id);
        sweepAt = nowSeconds + 10;
      }
      if (seen.has(jti)) return false;
      seen.set(jti, exp);
      return true;
    },
    get size() {
      return seen.size;
    },
  };
}

/**
 * Verifies the short-lived token the web signs for each request: HS256 with WORKER_SECRET,
 * at most 60 s of life, bound to this request's method and target (path and query, as sent),
 * and not used before (when a `replay` guard is given). The body is checked apart, once it
 * is read (`assertBodyMatches`). Any failure is a 401 that does not say which check failed.
 */
export async function verifyWorkerToken(
  header: string | undefined,
  secret: Uint8Array,
  request: { method: string; path: string },
  replay?: ReplayGuard,
): Promise<WorkerTokenClaims> {
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token) throw new AppError('unauthorized', 'Missing worker token');
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      audience: WORKER_TOKEN_AUDIENCE,
      issuer: WORKER_TOKEN_ISSUER,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: `${WORKER_TOKEN_MAX_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS}s`,
      requiredClaims: ['sub', 'iat', 'exp'],
    });
    const claims = workerTokenClaimsSchema.parse(payload);
    if (claims.exp - claims.iat > WORKER_TOKEN_MAX_TTL_SECONDS)
      throw new Error('token lives too long');
    if (claims.mth !== request.method || claims.pth !== request.path)
      throw new Error('token is for another request');
    if (replay && !replay.claim(claims.jti, claims.exp)) throw new Error('token used before');
    return claims;
  } catch (error) {
    throw new AppError('unauthorized', 'Invalid or expired worker token', { cause: error });
  }
}

/**
 * Checks the body the worker read against the token's `bdy`: `digest` is the SHA-256 (see
 * `bodyDigest`) of the bytes received, undefined when there were none. A body added to a token
 * signed without one, or changed, or dropped, is a 401.
 */
export function assertBodyMatches(claims: WorkerTokenClaims, digest: string | undefined): void {
  if (claims.bdy !== digest)
    throw new AppError('unauthorized', 'Invalid or expired worker token', {
      cause: new Error('token is for another body'),
    });
}

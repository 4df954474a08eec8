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

/**
 * Verifies the short-lived token the web signs for each request: HS256 with WORKER_SECRET,
 * at most 60 s of life, bound to this request's method and target (path and query, as sent).
 * Any failure is a 401 that does not say which check failed.
 */
export async function verifyWorkerToken(
  header: string | undefined,
  secret: Uint8Array,
  request: { method: string; path: string },
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
    return claims;
  } catch (error) {
    throw new AppError('unauthorized', 'Invalid or expired worker token', { cause: error });
  }
}

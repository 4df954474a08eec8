import { z } from 'zod';

/** Headers the web sets on every request it makes to the worker. */
export const WORKER_AUTH_HEADER = 'authorization';
export const REQUEST_ID_HEADER = 'x-request-id';
/** The user's GitHub token, for the one request that needs it. Never logged. */
export const GITHUB_TOKEN_HEADER = 'x-grove-github-token';

/** Web→worker tokens live at most this long; the worker refuses longer ones. */
export const WORKER_TOKEN_MAX_TTL_SECONDS = 60;
export const WORKER_TOKEN_AUDIENCE = 'grove-worker';
export const WORKER_TOKEN_ISSUER = 'grove-web';

/**
 * Claims of the token the web signs (HS256 with WORKER_SECRET). It names the user and binds
 * the token to one request: method, target, body (`bdy`, its SHA-256) and a one-time id
 * (`jti`, refused the second time), so a captured token can be used neither elsewhere nor again.
 */
export const workerTokenClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  mth: z.string().min(1).max(10),
  // The request target: a worktree path (up to 4096 characters) URL-encoded in the query fits.
  pth: z
    .string()
    .min(1)
    .max(16 * 1024),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(16).max(64),
  /** SHA-256 of the request body, base64url; absent when the request has none. */
  bdy: z
    .string()
    .regex(/^[\w-]{43}$/)
    .optional(),
  login: z.string().max(200).optional(),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
});
export type WorkerTokenClaims = z.infer<typeof workerTokenClaimsSchema>;

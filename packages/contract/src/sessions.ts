import { z } from 'zod';

export const SESSION_STATUSES = [
  'creating',
  'active',
  'connected',
  'updating',
  'deleting',
  'failed',
] as const;
export const sessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

/** The legal moves of the session status machine; anything else is a bug or a race. */
export const SESSION_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  creating: ['active', 'failed'],
  active: ['connected', 'updating', 'deleting', 'failed'],
  connected: ['active', 'updating', 'deleting', 'failed'],
  updating: ['active', 'connected', 'failed'],
  deleting: ['failed'],
  failed: ['deleting'],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

/** Statuses that count against the per-repository session limit. */
export const LIVE_SESSION_STATUSES: readonly SessionStatus[] = [
  'creating',
  'active',
  'connected',
  'updating',
];

const GITHUB_SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/**
 * `repo` as the contract defines it: `owner/name`, an `https://` git URL, or (only where the
 * worker allows local repos) an absolute path or `file://` URL. Whether local is allowed is
 * the worker's decision; this only checks the shape.
 */
export const repoRefSchema = z
  .string()
  .trim()
  .min(1, 'repo is required')
  .max(1024)
  .refine((value) => !/[\0\r\n]/.test(value), 'repo contains control characters')
  .refine((value) => {
    if (GITHUB_SLUG.test(value)) return !value.endsWith('/.') && !value.endsWith('/..');
    if (value.startsWith('/')) return true;
    try {
      const url = new URL(value);
      if (url.protocol === 'file:') return url.pathname.length > 1;
      return (
        url.protocol === 'https:' &&
        url.hostname.length > 0 &&
        url.username === '' &&
        url.password === ''
      );
    } catch {
      return false;
    }
  }, 'repo must be owner/name, an https:// URL without credentials, an absolute path or a file:// URL');

/** A git branch name, conservative: what `git check-ref-format --branch` would accept, minus oddities. */
export const branchNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(
    /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!\/)(?!.*\/$)(?!.*\.lock$)(?!.*\.$)[A-Za-z0-9._/-]+$/,
    'is not a valid branch name',
  );

export const sessionIdSchema = z.string().regex(/^[a-z0-9]{10,32}$/, 'is not a session id');

export const createSessionBodySchema = z.object({
  repo: repoRefSchema,
  baseBranch: branchNameSchema.optional(),
  name: z.string().trim().min(1).max(120).optional(),
});
export type CreateSessionBody = z.infer<typeof createSessionBodySchema>;

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'Idempotency-Key must be printable ASCII');

export const sessionSchema = z.object({
  id: sessionIdSchema,
  repo: z.string(),
  baseBranch: z.string(),
  branchName: z.string(),
  name: z.string().nullable(),
  status: sessionStatusSchema,
  error: z.string().nullable(),
  /** When `session/<id>` was first pushed; a pushed branch outlives the session. */
  pushedAt: z.string().nullable(),
  /** GitHub reported a push to the base branch since the last update from base. */
  behindBase: z.boolean(),
  pullRequest: z
    .object({
      number: z.number().int(),
      url: z.string(),
      state: z.enum(['open', 'closed', 'merged']),
    })
    .nullable(),
  /** While `creating`: how far the repository fetch is (git's own stage names and percent). */
  progress: z.object({ stage: z.string(), percent: z.number() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Session = z.infer<typeof sessionSchema>;

export const sessionResponseSchema = z.object({ session: sessionSchema });
export const sessionListResponseSchema = z.object({ sessions: z.array(sessionSchema) });

import { z } from 'zod';

/** Every error code either app may answer with, mapped to its HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  local_repos_disabled: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  invalid_transition: 409,
  payload_too_large: 413,
  file_too_large: 413,
  binary_file: 415,
  nothing_to_commit: 409,
  update_conflict: 409,
  github_token_required: 403,
  github_auth_failed: 403,
  github_reauth_required: 401,
  github_error: 502,
  rate_limited: 429,
  budget_exceeded: 429,
  session_limit: 429,
  terminal_limit: 429,
  repo_unavailable: 422,
  internal_error: 500,
  worker_unreachable: 502,
  worker_unavailable: 503,
  supabase_unavailable: 503,
  engine_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const errorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const fieldIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

export const rateLimitInfoSchema = z.object({
  retryAfter: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative(),
  remaining: z.number().int().nonnegative(),
  reset: z.number().int().nonnegative(),
});
export type RateLimitInfo = z.infer<typeof rateLimitInfoSchema>;

export const errorBodySchema = z.object({
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      details: z.array(fieldIssueSchema).optional(),
    })
    .extend(rateLimitInfoSchema.partial().shape),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * The one error type of both apps. Thrown anywhere, turned into the contract's error body by
 * the single handler of each app; anything that is not an AppError becomes a generic 500.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: FieldIssue[] | undefined;
  readonly rateLimit: RateLimitInfo | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    extra: { details?: FieldIssue[]; rateLimit?: RateLimitInfo; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = extra.details;
    this.rateLimit = extra.rateLimit;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
        ...(this.rateLimit ?? {}),
      },
    };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/**
 * Messages for the issues zod words for programmers ("Too big: expected string to have
 * <=10000 characters"), as a predicate of the field, which the detail's `path` names: "is too
 * long (at most 10000 characters)". A message a schema sets itself ("message is required")
 * wins over these; anything not listed keeps zod's wording.
 */
export function readableIssue(issue: z.core.$ZodRawIssue): string | undefined {
  const unit = (n: number | bigint, one: string) => `${n} ${one}${Number(n) === 1 ? '' : 's'}`;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      // "an object", "an array", "a string".
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'too_big':
      if (issue.origin === 'string')
        return `is too long (at most ${unit(issue.maximum, 'character')})`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `has too many items (at most ${issue.maximum})`;
      return `must be at most ${issue.maximum}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? 'is required'
          : `is too short (at least ${unit(issue.minimum, 'character')})`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `needs at least ${unit(issue.minimum, 'item')}`;
      return `must be at least ${issue.minimum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
    default:
      return undefined;
  }
}

/** Turns zod issues into the contract's `details` list. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  // Two checks of one field that say the same thing are one issue to the reader.
  return issues.filter(
    (issue, index) =>
      issues.findIndex((other) => other.path === issue.path && other.message === issue.message) ===
      index,
  );
}

/** Parses `value` or throws a 422 AppError naming every bad field. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what = 'request',
): z.infer<T> {
  const result = schema.safeParse(value, { error: readableIssue });
  if (!result.success) {
    throw new AppError('validation_failed', `Invalid ${what}`, {
      details: toFieldIssues(result.error),
    });
  }
  return result.data;
}

/** Rebuilds an AppError from an error body another service answered with. */
export function appErrorFromBody(status: number, body: unknown): AppError {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) {
    return new AppError(
      status >= 500 ? 'worker_unavailable' : 'internal_error',
      `Upstream answered ${status}`,
    );
  }
  const { code, message, details, retryAfter, limit, remaining, reset } = parsed.data.error;
  const known = errorCodeSchema.safeParse(code);
  const rateLimit =
    retryAfter !== undefined &&
    limit !== undefined &&
    remaining !== undefined &&
    reset !== undefined
      ? { retryAfter, limit, remaining, reset }
      : undefined;
  return new AppError(known.success ? known.data : 'internal_error', message, {
    ...(details ? { details } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  });
}

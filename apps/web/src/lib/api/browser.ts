/** Browser-side fetch for the web API: JSON in, JSON out, contract errors as readable messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: {
    code?: string;
    message?: string;
    retryAfter?: number;
    details?: { path: string; message: string }[];
  };
}

/** Turns a contract error body into an ApiError whose message a person can act on. */
export function apiErrorFrom(status: number, data: unknown, retryHeader?: string | null): ApiError {
  const error = (data as ErrorBody | undefined)?.error ?? {};
  let message = error.message ?? `Request failed (${status})`;
  // A request that failed validation ("Invalid commit") says which fields and why; other
  // messages already say what went wrong.
  const fields = /^Invalid\b/.test(message) ? describeFields(error.details ?? []) : [];
  if (fields.length > 0) message += `: ${fields.join('; ')}`;
  const header = retryHeader ? Number(retryHeader) : undefined;
  const retryAfter =
    error.retryAfter ?? (header !== undefined && Number.isFinite(header) ? header : undefined);
  // Waiting frees no room under a count limit (sessions, terminals): the message says what does.
  if (retryAfter !== undefined && !COUNT_LIMITS.has(error.code ?? ''))
    message += ` — try again in ${formatWait(retryAfter)}`;
  // Only when the worker could not be reached (or something in front of it answered instead).
  if ((status === 502 || status === 503) && (!error.code || WORKER_DOWN.has(error.code)))
    message += ' (the worker may be down; see /workers)';
  return new ApiError(status, error.code ?? 'unknown', message, retryAfter);
}

const WORKER_DOWN = new Set(['worker_unavailable', 'worker_unreachable']);
const COUNT_LIMITS = new Set(['session_limit', 'terminal_limit']);

/**
 * One phrase per field, its first problem only: "message is required" as it is, and "is too
 * long (…)" of `baseBranch` as "base branch is too long (…)". A problem of the whole value
 * ("is not a session id") adds nothing to "Invalid session id" and is left out.
 */
function describeFields(details: { path: string; message: string }[]): string[] {
  const seen = new Set<string>();
  const phrases: string[] = [];
  for (const { path, message } of details) {
    if (seen.has(path)) continue;
    seen.add(path);
    if (path === '(root)') {
      if (!/^(is|must) /.test(message)) phrases.push(message);
      continue;
    }
    const field = path.split('.').at(-1) ?? path;
    const label = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
    const named = [field, label].some((name) =>
      message.toLowerCase().startsWith(name.toLowerCase()),
    );
    phrases.push(named ? message : `${label} ${message}`);
  }
  return phrases;
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))}s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.ceil(seconds / 3600)} h`;
}

/** Reads a failed response's contract error body. */
export async function readApiError(response: Response): Promise<ApiError> {
  const data = (await response.json().catch(() => ({}))) as unknown;
  return apiErrorFrom(response.status, data, response.headers.get('retry-after'));
}

export async function apiFetch<T>(
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<T> {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const response = await fetch(path, {
    ...init,
    headers,
    body: body ?? null,
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  if (!response.ok) throw await readApiError(response);
  return (await response.json()) as T;
}

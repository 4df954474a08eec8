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
  if (error.details?.length && /^Invalid\b/.test(message))
    message += `: ${error.details.map(describeField).join('; ')}`;
  const header = retryHeader ? Number(retryHeader) : undefined;
  const retryAfter =
    error.retryAfter ?? (header !== undefined && Number.isFinite(header) ? header : undefined);
  if (retryAfter !== undefined) message += ` — try again in ${formatWait(retryAfter)}`;
  // Only when the worker could not be reached (or something in front of it answered instead).
  if ((status === 502 || status === 503) && (!error.code || WORKER_DOWN.has(error.code)))
    message += ' (the worker may be down; see /workers)';
  return new ApiError(status, error.code ?? 'unknown', message, retryAfter);
}

const WORKER_DOWN = new Set(['worker_unavailable', 'worker_unreachable']);

/** "message is required" as it is; "is too long (…)" of the field `message` gets its name. */
function describeField(detail: { path: string; message: string }): string {
  const field = detail.path.split('.').at(-1) ?? detail.path;
  if (detail.path === '(root)' || detail.message.toLowerCase().startsWith(field.toLowerCase()))
    return detail.message;
  return `${field} ${detail.message}`;
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

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
  const data = (await response.json().catch(() => ({}))) as {
    error?: {
      code?: string;
      message?: string;
      retryAfter?: number;
      details?: { path: string; message: string }[];
    };
  };
  if (!response.ok) {
    const error = data.error ?? {};
    let message = error.message ?? `Request failed (${response.status})`;
    if (error.details?.length)
      message += `: ${error.details.map((d) => `${d.path} ${d.message}`).join('; ')}`;
    if (error.retryAfter !== undefined) message += ` — try again in ${error.retryAfter}s`;
    throw new ApiError(response.status, error.code ?? 'unknown', message, error.retryAfter);
  }
  return data as T;
}

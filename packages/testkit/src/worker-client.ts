import { REQUEST_ID_HEADER } from '@grove/contract';
import { secretKey, signWorkerToken } from '@grove/worker-token';

export interface SignedFetchOptions {
  baseUrl: string;
  secret: string;
  userId: string;
  /** GitHub profile claims the web adds (login, name, email), as for a signed-in GitHub user. */
  profile?: { login?: string; name?: string; email?: string };
}

/**
 * fetch() against a worker with a freshly signed token per request, as the web does it.
 * `init.unsigned` sends no token; `init.tokenPath` / `init.tokenBody` sign for a different
 * path or body (replay and tampering tests).
 */
export function workerFetcher(options: SignedFetchOptions) {
  const key = secretKey(options.secret);
  return async (
    path: string,
    init: RequestInit & {
      unsigned?: boolean;
      tokenPath?: string;
      /** Signs for this body instead of the one sent (tampering tests). */
      tokenBody?: string;
      userId?: string;
      json?: unknown;
    } = {},
  ): Promise<Response> => {
    const method = (init.method ?? (init.json !== undefined ? 'POST' : 'GET')).toUpperCase();
    const headers = new Headers(init.headers);
    if (!headers.has(REQUEST_ID_HEADER))
      headers.set(REQUEST_ID_HEADER, `test-${Math.random().toString(36).slice(2)}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    if (!init.unsigned) {
      const token = await signWorkerToken(
        key,
        { userId: init.userId ?? options.userId, ...options.profile },
        {
          method,
          path: init.tokenPath ?? requestTarget(new URL(path, options.baseUrl)),
          body: init.tokenBody ?? signableBody(body),
        },
      );
      headers.set('authorization', `Bearer ${token}`);
    }
    return fetch(new URL(path, options.baseUrl), { ...init, method, headers, body: body ?? null });
  };
}

/** What a request line names: the path and the query. */
function requestTarget(url: URL): string {
  return `${url.pathname}${url.search}`;
}

/** The bytes a body sends, for the token's digest (tests send strings or nothing). */
function signableBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  throw new Error('workerFetcher signs string or byte bodies only');
}

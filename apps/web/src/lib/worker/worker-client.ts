import 'server-only';

import { AppError, GITHUB_TOKEN_HEADER, REQUEST_ID_HEADER } from '@grove/contract';
import { secretKey, signWorkerToken } from '@grove/worker-token';

import { env } from '@/env';
import type { CurrentUser } from '@/lib/auth/current-user';

/** A worker that has not answered by then is treated as unreachable (streams excepted). */
export const WORKER_TIMEOUT_MS = 120_000;

export interface WorkerCall {
  user: CurrentUser;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path on the worker, with an optional query string. */
  path: string;
  requestId: string;
  json?: unknown;
  headers?: Record<string, string>;
  githubToken?: string | undefined;
  signal?: AbortSignal;
  /** Streams (SSE) must not time out: the caller's signal ends them. */
  stream?: boolean;
}

let key: Uint8Array | undefined;

/**
 * Calls the worker with a token signed for exactly this user, method and path. A worker that
 * cannot be reached becomes a contract error (503 refused, 502 otherwise); whatever the
 * worker answers is returned untouched for the caller to pass on.
 */
export async function callWorker(call: WorkerCall): Promise<Response> {
  const config = env();
  key ??= secretKey(config.workerSecret);
  const url = new URL(call.path, `${config.workerUrl}/`);
  const token = await signWorkerToken(
    key,
    { userId: call.user.id, login: call.user.login, name: call.user.name, email: call.user.email },
    { method: call.method, path: url.pathname },
  );
  const headers = new Headers(call.headers);
  headers.set('authorization', `Bearer ${token}`);
  headers.set(REQUEST_ID_HEADER, call.requestId);
  if (call.githubToken) headers.set(GITHUB_TOKEN_HEADER, call.githubToken);
  let body: string | undefined;
  if (call.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(call.json);
  }
  const signals = [
    call.signal,
    call.stream ? undefined : AbortSignal.timeout(WORKER_TIMEOUT_MS),
  ].filter((signal): signal is AbortSignal => signal !== undefined);
  try {
    return await fetch(url, {
      method: call.method,
      headers,
      body: body ?? null,
      signal: signals.length > 0 ? AbortSignal.any(signals) : null,
      cache: 'no-store',
      redirect: 'manual',
    });
  } catch (error) {
    if (call.signal?.aborted) throw error;
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new AppError('worker_unavailable', 'The worker is not reachable', { cause: error });
    }
    throw new AppError('worker_unreachable', 'The worker did not answer', { cause: error });
  }
}

/** Passes a worker's JSON (or empty) answer on to the browser, status and all. */
export async function relayWorkerResponse(
  response: Response,
  requestId: string,
): Promise<Response> {
  const headers = new Headers({ 'cache-control': 'no-store', 'x-request-id': requestId });
  for (const name of ['retry-after', 'idempotent-replayed']) {
    const value = response.headers.get(name);
    if (value) headers.set(name, value);
  }
  if (response.status === 204 || response.status === 304)
    return new Response(null, { status: response.status, headers });
  const text = await response.text();
  headers.set('content-type', response.headers.get('content-type') ?? 'application/json');
  return new Response(text, { status: response.status, headers });
}

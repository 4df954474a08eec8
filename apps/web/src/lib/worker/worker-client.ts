import 'server-only';

import { Readable } from 'node:stream';

import {
  AppError,
  appErrorFromBody,
  GITHUB_TOKEN_HEADER,
  REQUEST_ID_HEADER,
} from '@grove/contract';
import { secretKey, signWorkerTokenSync } from '@grove/worker-token';
import { Agent, type Dispatcher, request } from 'undici';

import { env } from '@/env';
import { handleApiError } from '@/lib/api/errors';
import type { CurrentUser } from '@/lib/auth/current-user';

/** A worker that has not answered by then is treated as unreachable (streams excepted). */
export const WORKER_TIMEOUT_MS = 120_000;
/**
 * The same for reads (GET), which the pages poll: a worker that stopped answering is said to
 * be down within this, rather than holding every poll (and the browser's connections) for two
 * minutes. Writes keep the longer wait: a commit or a push may take that long.
 */
export const WORKER_READ_TIMEOUT_MS = 30_000;

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
 * One keep-alive pool to the worker. undici's `request` rather than `fetch`: Next patches the
 * global fetch (tracing spans, its data cache) and fetch builds a WHATWG Request per call;
 * together ~0.5 ms on the path of every chat message's first event (bench/chat-stream.bench.ts).
 * Streams never time out here (the caller's signal ends them); other calls are bounded by
 * WORKER_TIMEOUT_MS below.
 */
const dispatcher = new Agent({ keepAliveTimeout: 30_000, bodyTimeout: 0, headersTimeout: 0 });

/**
 * Calls the worker with a token signed for exactly this user, method and path. A worker that
 * cannot be reached becomes a contract error (503 refused, 502 otherwise); whatever the
 * worker answers is returned untouched, as a web Response, for the caller to pass on.
 */
export async function callWorker(call: WorkerCall): Promise<Response> {
  return toWebResponse(await requestWorker(call));
}

/** callWorker's raw answer: status, headers and the body as a Node stream (see sse-proxy). */
export async function requestWorker(call: WorkerCall): Promise<Dispatcher.ResponseData> {
  const config = env();
  key ??= secretKey(config.workerSecret);
  const url = new URL(call.path, `${config.workerUrl}/`);
  const body = call.json === undefined ? undefined : JSON.stringify(call.json);
  const token = signWorkerTokenSync(
    key,
    { userId: call.user.id, login: call.user.login, name: call.user.name, email: call.user.email },
    // The query too: a token for one file is not a token for another. And the body.
    { method: call.method, path: `${url.pathname}${url.search}`, body },
  );
  const headers: Record<string, string> = {
    ...call.headers,
    authorization: `Bearer ${token}`,
    [REQUEST_ID_HEADER]: call.requestId,
  };
  if (call.githubToken) headers[GITHUB_TOKEN_HEADER] = call.githubToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await request(url, {
      method: call.method,
      headers,
      body: body ?? null,
      signal: requestSignal(call),
      dispatcher,
    });
  } catch (error) {
    if (call.signal?.aborted) throw error;
    const code =
      (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new AppError('worker_unavailable', 'The worker is not reachable', { cause: error });
    }
    throw new AppError('worker_unreachable', 'The worker did not answer', { cause: error });
  }
}

/**
 * The caller's signal and the timeout, combined only when there are both: a composite signal
 * costs ~65 µs to listen to on a cold request path (measured on the chat's first event).
 */
function requestSignal(call: WorkerCall): AbortSignal | null {
  const timeout = call.stream
    ? undefined
    : AbortSignal.timeout(call.method === 'GET' ? WORKER_READ_TIMEOUT_MS : WORKER_TIMEOUT_MS);
  if (call.signal && timeout) return AbortSignal.any([call.signal, timeout]);
  return call.signal ?? timeout ?? null;
}

/** A worker's 401 is about the web's token, unless GitHub wants the user to sign in again. */
function refusedOurToken(body: string): boolean {
  try {
    return appErrorFromBody(401, JSON.parse(body)).code !== 'github_reauth_required';
  } catch {
    return true;
  }
}

export function toWebResponse(answer: Dispatcher.ResponseData): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const empty = answer.statusCode === 204 || answer.statusCode === 304;
  if (empty) answer.body.resume();
  return new Response(empty ? null : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>), {
    status: answer.statusCode,
    headers,
  });
}

/** Passes a worker's JSON (or empty) answer on to the browser, status and all. */
export async function relayWorkerResponse(
  response: Response,
  requestId: string,
): Promise<Response> {
  const headers = new Headers({
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
  });
  for (const name of ['retry-after', 'idempotent-replayed']) {
    const value = response.headers.get(name);
    if (value) headers.set(name, value);
  }
  if (response.status === 204 || response.status === 304)
    return new Response(null, { status: response.status, headers });
  const text = await response.text();
  if (response.status === 401 && refusedOurToken(text)) {
    // The web signed the browser in; the worker's 401 is about the web's own token (it
    // expired while the request waited on a stalled worker, or WORKER_SECRET differs). Passed
    // on, it would sign the browser out.
    // eslint-disable-next-line no-console -- an operator needs to see this one
    console.error(
      JSON.stringify({ level: 'error', requestId, msg: 'the worker refused the web token' }),
    );
    return handleApiError(
      new AppError(
        'worker_unreachable',
        'The worker did not accept the request in time; try again',
      ),
      requestId,
    );
  }
  headers.set('content-type', response.headers.get('content-type') ?? 'application/json');
  return new Response(text, { status: response.status, headers });
}

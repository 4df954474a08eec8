import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { Logger } from 'pino';

/** Where Claude Code sends its requests when ANTHROPIC_BASE_URL is not set. */
export const ANTHROPIC_API_URL = 'https://api.anthropic.com';

/** Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1), plus credentials. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'x-api-key',
  'authorization',
]);

export interface ModelGateway {
  /** The base URL the engine is given as ANTHROPIC_BASE_URL (loopback). */
  url: string;
  /** A key for one run, good until `revoke()`; the engine is given it as ANTHROPIC_API_KEY. */
  issue: () => { key: string; revoke: () => void };
  close: () => Promise<void>;
}

const digest = (key: string) => createHash('sha256').update(key).digest('hex');

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !NOT_FORWARDED.has(name)) kept[name] = value;
  return kept;
}

/**
 * Where a request for `requestTarget` goes upstream: a path of the configured API (under its
 * base path), or undefined for anything else.
 */
function upstreamTarget(requestTarget: string | undefined, upstream: URL): URL | undefined {
  if (!requestTarget?.startsWith('/') || requestTarget.startsWith('//')) return undefined;
  const target = new URL(requestTarget.slice(1), upstream);
  const inside = target.origin === upstream.origin && target.pathname.startsWith(upstream.pathname);
  return inside ? target : undefined;
}

/**
 * A loopback gateway between the engine and the model API, so that the operator's
 * ANTHROPIC_API_KEY never enters the engine's process: the engine (and so every command its
 * Bash tool runs, which inherits its environment) holds only a key issued for its run, which
 * this gateway swaps for the real one and which stops working when the run ends. Requests and
 * answers are streamed through as they come (the model's SSE is not buffered).
 */
export async function startModelGateway(options: {
  apiKey: string;
  upstream: string;
  logger?: Logger | undefined;
}): Promise<ModelGateway> {
  const upstream = new URL(
    options.upstream.endsWith('/') ? options.upstream : `${options.upstream}/`,
  );
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const configured =
    upstream.origin === new URL(ANTHROPIC_API_URL).origin
      ? ''
      : " (the worker's ANTHROPIC_BASE_URL)";
  /** Digests of the keys of runs in progress. */
  const live = new Set<string>();

  const server = createServer((req, res) => {
    const offered = req.headers['x-api-key'];
    if (typeof offered !== 'string' || !live.has(digest(offered))) {
      // As the API itself answers a key it does not know.
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'authentication_error', message: 'invalid x-api-key' },
        }),
      );
      req.resume();
      return;
    }
    const target = upstreamTarget(req.url, upstream);
    if (!target) {
      // An absolute-form target (`GET http://elsewhere/`, as sent to a proxy) or a path that
      // resolves outside the API: the real key goes to the configured API and nowhere else.
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: 'The model gateway only forwards paths of the configured model API',
          },
        }),
      );
      req.resume();
      return;
    }
    const outgoing = send(
      target,
      {
        method: req.method,
        headers: { ...forwardable(req.headers), 'x-api-key': options.apiKey },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    outgoing.on('error', (error) => {
      options.logger?.warn({ err: error, path: target.pathname }, 'the model API did not answer');
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            type: 'error',
            error: {
              type: 'api_error',
              // Named as the operator configured it: the engine only knows the gateway.
              message: `The model API at ${upstream.origin}${configured} could not be reached: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
            },
          }),
        );
      } else res.destroy();
    });
    // The engine went away (a stopped run): stop asking the API on its behalf.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  // Never what keeps the worker alive.
  server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    issue: () => {
      const key = `grove-run-${randomBytes(32).toString('base64url')}`;
      const hashed = digest(key);
      live.add(hashed);
      return { key, revoke: () => live.delete(hashed) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        live.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

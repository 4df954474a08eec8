/**
 * Preloaded (`node --import`) into the web and the worker by `BENCH_TRACE=1` runs of
 * chat-stream.bench.ts: stamps each step of a benchmark chat request in this process with
 * CLOCK_MONOTONIC (the clock the benchmark reads too), and writes them to `$TRACE_OUT.json`
 * on exit. Requests are told apart by their `x-request-id` (`bench-…`), which the web passes on
 * to the worker. Erasable TypeScript only: `next start` loads it with Node's own type stripping.
 *
 * Steps: `reqStart` (request headers parsed), `writeHead` / `firstWrite` / `firstText` (this
 * process's answer), and, where this process calls another (the web), `upstreamCreate`,
 * `upstreamSent` and `upstreamHeaders` from undici's diagnostics channels.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { ServerResponse, type IncomingMessage } from 'node:http';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const steps: Record<string, Record<string, number>> = {};
const traced = new WeakMap<ServerResponse, string>();

/** Records `step` of request `id` once (the first time it happens). */
function stamp(id: string | undefined, step: string): void {
  const request = id === undefined ? undefined : steps[id];
  if (request && request[step] === undefined) request[step] = now();
}

subscribe('http.server.request.start', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const id = request.headers['x-request-id'];
  if (request.method !== 'POST' || typeof id !== 'string' || !id.startsWith('bench-')) return;
  steps[id] = { reqStart: now() };
  traced.set(response, id);
});

// Wrapped in place: every answer this process writes goes through these two.
const proto = ServerResponse.prototype as unknown as {
  writeHead: (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  write: (this: ServerResponse, chunk: unknown, ...rest: unknown[]) => boolean;
};
const { write, writeHead } = proto;
proto.writeHead = function (...args) {
  stamp(traced.get(this), 'writeHead');
  return writeHead.apply(this, args);
};
proto.write = function (chunk, ...rest) {
  const id = traced.get(this);
  if (id) {
    stamp(id, 'firstWrite');
    if (String(chunk).includes('"type":"text"')) stamp(id, 'firstText');
  }
  return write.call(this, chunk, ...rest);
};

/** undici keeps a request's headers as [name, value, …] (or a raw block once sent). */
function requestIdOf(request: { headers?: unknown } | undefined): string | undefined {
  const headers = request?.headers;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2)
      if (String(headers[i]).toLowerCase() === 'x-request-id') return String(headers[i + 1]);
  } else if (typeof headers === 'string') {
    return /x-request-id: (\S+)/i.exec(headers)?.[1];
  }
  return undefined;
}

for (const [channel, step] of [
  ['undici:request:create', 'upstreamCreate'],
  ['undici:client:sendHeaders', 'upstreamSent'],
  ['undici:request:headers', 'upstreamHeaders'],
] as const) {
  subscribe(channel, (message) => {
    stamp(requestIdOf((message as { request?: { headers?: unknown } }).request), step);
  });
}

process.on('exit', () => {
  if (process.env.TRACE_OUT) writeFileSync(`${process.env.TRACE_OUT}.json`, JSON.stringify(steps));
});

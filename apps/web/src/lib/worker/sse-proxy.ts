import 'server-only';

import type { Readable } from 'node:stream';

import { SSE_HEADERS } from '@grove/contract';

import {
  relayWorkerResponse,
  requestWorker,
  toWebResponse,
  type WorkerCall,
} from './worker-client';

/** What the relay holds for a browser that reads slowly before it pauses the worker's stream. */
const RELAY_BUFFER_BYTES = 64 * 1024;
/**
 * The first bytes of every relayed stream, an SSE comment. Next sends a route's response
 * headers with its first body chunk; a resume of a run that is waiting (on a permission, on
 * the model) would otherwise hear nothing until the next event or heartbeat, up to 15 s.
 */
const OPENING = new TextEncoder().encode(': connected\n\n');

/**
 * Opens a worker SSE stream (chat run or resume) and passes it to the browser. The worker's
 * refusals (404, 409, 429…) are relayed as JSON like any other answer.
 */
export async function proxySse(
  call: Omit<WorkerCall, 'signal' | 'stream'>,
  browser: AbortSignal,
): Promise<Response> {
  // Not the browser's signal: the worker keeps the run going when the browser leaves, and
  // this only stops reading (relaySse aborts it when the browser goes).
  const upstream = new AbortController();
  const answer = await requestWorker({
    ...call,
    headers: { ...call.headers, accept: 'text/event-stream' },
    signal: upstream.signal,
    stream: true,
  });
  if (answer.statusCode !== 200) return relayWorkerResponse(toWebResponse(answer), call.requestId);
  return relaySse(answer.body, call.requestId, upstream, browser);
}

/**
 * Passes the worker's SSE body to the browser chunk by chunk, as it arrives (no buffering, no
 * rewrites(); straight from the Node stream, with no extra web-stream stage per event). When
 * the browser goes away, `upstream` is aborted: the web stops reading, the worker sees its
 * subscriber leave, and the run itself goes on. A browser that reads slowly pauses the
 * upstream read, so nothing piles up here.
 */
function relaySse(
  body: Readable,
  requestId: string,
  upstream: AbortController,
  browser: AbortSignal,
): Response {
  let open = true;
  const stop = () => {
    open = false;
    browser.removeEventListener('abort', stop);
    upstream.abort();
    body.destroy();
  };
  browser.addEventListener('abort', stop, { once: true });
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(OPENING);
        const finish = () => {
          if (!open) return;
          open = false;
          browser.removeEventListener('abort', stop);
          controller.close();
        };
        body.on('data', (chunk: Buffer) => {
          if (!open) return;
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 1) <= 0) body.pause();
        });
        body.once('end', finish);
        // A worker that drops the stream (or an abort) ends it here; the browser resumes.
        body.once('error', finish);
        body.once('close', finish);
      },
      pull() {
        body.resume();
      },
      cancel: stop,
    },
    { highWaterMark: RELAY_BUFFER_BYTES, size: (chunk) => chunk.byteLength },
  );
  return new Response(stream, {
    status: 200,
    headers: { ...SSE_HEADERS, 'x-request-id': requestId },
  });
}

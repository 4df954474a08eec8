import 'server-only';

import { SSE_HEADERS } from '@grove/contract';

/**
 * Passes a worker's SSE answer to the browser chunk by chunk (no buffering, no rewrites()).
 * When the browser goes away, `upstream` is aborted: the web stops reading, the worker sees
 * its subscriber leave, and the run itself goes on.
 */
export function relaySse(
  response: Response,
  requestId: string,
  upstream: AbortController,
  browser: AbortSignal,
): Response {
  const body = response.body!;
  const reader = body.getReader();
  const onBrowserGone = () => upstream.abort();
  browser.addEventListener('abort', onBrowserGone, { once: true });
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          browser.removeEventListener('abort', onBrowserGone);
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch {
        browser.removeEventListener('abort', onBrowserGone);
        controller.close();
      }
    },
    cancel() {
      browser.removeEventListener('abort', onBrowserGone);
      upstream.abort();
      return reader.cancel().catch(() => undefined);
    },
  });
  return new Response(stream, {
    status: 200,
    headers: { ...SSE_HEADERS, 'x-request-id': requestId },
  });
}

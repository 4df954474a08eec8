import type { ChatEvent } from '@grove/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { ChatStream, type ChatStreamState } from './chat-stream';

const sse = (id: number, data: ChatEvent) => `id: ${id}\ndata: ${JSON.stringify(data)}\n\n`;

/** A response whose body yields the given chunks, then fails like a dropped connection. */
function dropping(chunks: string[]): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
      else controller.error(new TypeError('network error'));
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/**
 * A live SSE answer the test writes into, as fetch gives it: aborting the request's signal
 * breaks the body, as the browser does.
 */
function live(signal: AbortSignal | null | undefined) {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  let aborted = false;
  signal?.addEventListener('abort', () => {
    aborted = true;
    controller.error(new DOMException('The operation was aborted.', 'AbortError'));
  });
  return {
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    get aborted() {
      return aborted;
    },
  };
}

const conflict = () =>
  new Response(
    JSON.stringify({ error: { code: 'conflict', message: 'A run is already in progress' } }),
    { status: 409, headers: { 'content-type': 'application/json' } },
  );

function recorder() {
  const events: [number | undefined, ChatEvent][] = [];
  const states: ChatStreamState[] = [];
  const errors: string[] = [];
  const stream = new ChatStream({
    sessionId: 'session0001',
    onEvent: (event, id) => events.push([id, event]),
    onState: (s) => states.push(s),
    onError: (message) => errors.push(message),
  });
  return { stream, events, states, errors };
}

describe('ChatStream', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('resumes a dropped run with Last-Event-ID and delivers every event once', async () => {
    vi.useFakeTimers();
    const calls: { url: string; lastEventId: string | null }[] = [];
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
      calls.push({ url, lastEventId: new Headers(init.headers).get('last-event-id') });
      if (calls.length === 1)
        return Promise.resolve(
          dropping([
            ': ping\n\n',
            sse(4, { type: 'run', runId: 'r' }),
            sse(5, { type: 'text', text: 'Hel' }).slice(0, 10),
            sse(5, { type: 'text', text: 'Hel' }).slice(10),
          ]),
        );
      return Promise.resolve(
        new Response(
          sse(6, { type: 'text', text: 'lo' }) + ': ping\n\n' + sse(7, { type: 'done' }),
        ),
      );
    });
    const events: [number | undefined, ChatEvent][] = [];
    const states: ChatStreamState[] = [];
    const stream = new ChatStream({
      sessionId: 'session0001',
      onEvent: (event, id) => events.push([id, event]),
      onState: (s) => states.push(s),
      onError: (message) => {
        throw new Error(message);
      },
    });
    await stream.send('hi');
    await vi.waitFor(() => expect(states.some((s) => s.kind === 'reconnecting')).toBe(true));
    await vi.advanceTimersByTimeAsync(20_000);
    await vi.waitFor(() => expect(states.at(-1)).toEqual({ kind: 'idle' }));

    expect(calls.map((c) => [c.url, c.lastEventId])).toEqual([
      ['/api/workspace/chat', null],
      ['/api/workspace/chat/session0001/stream', '5'],
    ]);
    expect(events.map(([id]) => id)).toEqual([4, 5, 6, 7]);
    expect(stream.lastEventId).toBe(7);
    stream.dispose();
  });

  it.each([
    ['refused (409)', () => Promise.resolve(conflict())],
    ['not sent (network error)', () => Promise.reject(new TypeError('Failed to fetch'))],
  ])('a message %s while a run streams leaves that stream followed to its end', async (_, post) => {
    let running: ReturnType<typeof live> | undefined;
    const urls: string[] = [];
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
      urls.push(url);
      if (url === '/api/workspace/chat') return post();
      running = live(init.signal);
      return Promise.resolve(running.response);
    });
    const { stream, events, states, errors } = recorder();
    stream.resume();
    await vi.waitFor(() => expect(running).toBeDefined());
    running!.write(sse(1, { type: 'run', runId: 'r' }) + sse(2, { type: 'text', text: 'Hel' }));
    await vi.waitFor(() => expect(events).toHaveLength(2));

    await expect(stream.send('another')).rejects.toThrow();
    // The run goes on, and its end (or Stop's) reaches the page.
    expect(running!.aborted).toBe(false);
    running!.write(sse(3, { type: 'text', text: 'lo' }) + sse(4, { type: 'done' }));
    running!.end();
    await vi.waitFor(() => expect(states.at(-1)).toEqual({ kind: 'idle' }));
    expect(events.map(([id]) => id)).toEqual([1, 2, 3, 4]);
    expect(urls).toEqual(['/api/workspace/chat/session0001/stream', '/api/workspace/chat']);
    expect(errors).toEqual([]);
    stream.dispose();
  });

  it('an accepted message replaces the stream followed before it', async () => {
    const answers: ReturnType<typeof live>[] = [];
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      const answer = live(init.signal);
      answers.push(answer);
      return Promise.resolve(answer.response);
    });
    const { stream, events } = recorder();
    stream.resume();
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    answers[0]!.write(sse(1, { type: 'run', runId: 'r1' }));
    await vi.waitFor(() => expect(events).toHaveLength(1));

    await stream.send('next');
    expect(answers[0]!.aborted).toBe(true);
    answers[1]!.write(sse(2, { type: 'run', runId: 'r2' }) + sse(3, { type: 'done' }));
    await vi.waitFor(() => expect(events).toHaveLength(3));
    expect(events.map(([, event]) => event.type)).toEqual(['run', 'run', 'done']);
    stream.dispose();
  });
});

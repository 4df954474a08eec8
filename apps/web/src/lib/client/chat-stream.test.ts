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
});

import { existsSync } from 'node:fs';
import path from 'node:path';

import {
  createSourceRepo,
  makeTempDir,
  readSse,
  startAnthropicStandIn,
  untilDone,
  type AnthropicStandIn,
  type SseMessage,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signIn, startStack, WORKER_ENTRY, type Stack } from '@/testing/stack';

const typeOf = (event: SseMessage) => (event.data as { type: string }).type;
const textOf = (events: SseMessage[]) =>
  events
    .filter((e) => typeOf(e) === 'text')
    .map((e) => (e.data as { text: string }).text)
    .join('');

describe('chat through the web route handlers (next start → worker → real Claude Code)', () => {
  let standIn: AnthropicStandIn;
  let stack: Stack;
  let cookie: string;
  let repos: ReturnType<typeof makeTempDir>;
  let sessionId: string;

  beforeAll(async () => {
    expect(existsSync(WORKER_ENTRY), 'build the worker first').toBe(true);
    repos = makeTempDir('grove-web-chat-');
    const repo = createSourceRepo(path.join(repos.dir, 'origin'));
    standIn = await startAnthropicStandIn();
    stack = await startStack({
      ANTHROPIC_API_KEY: 'sk-ant-test-key',
      ANTHROPIC_BASE_URL: standIn.url,
    });
    cookie = await signIn(stack.webUrl);
    const created = await api('/api/workspace/session/create', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ repo }),
    });
    sessionId = ((await created.json()) as { session: { id: string } }).session.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await standIn?.close();
    repos?.cleanup();
  });

  function api(p: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${stack.webUrl}${p}`, {
      ...init,
      headers: { cookie, ...(init.headers as Record<string, string>) },
    });
  }

  it('streams events as they happen, and the run outlives a browser that leaves', async () => {
    standIn.script({ blocks: [{ type: 'text', text: 'z'.repeat(24), chunks: 24 }], delayMs: 60 });
    const browser = new AbortController();
    const response = await api('/api/workspace/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, message: 'stream slowly' }),
      signal: browser.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    // Set by the handlers themselves: the proxy (and its page headers) skips these routes.
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const arrivals: number[] = [];
    const first = await readSse(response, {
      onEvent: (event) => {
        if (typeOf(event) === 'text') arrivals.push(Date.now());
      },
      until: (_e, all) => all.filter((e) => typeOf(e) === 'text').length >= 12,
    });
    // Twelve deltas sent 60 ms apart upstream (660 ms) arrive spread out, not in one lump at
    // the end; the margin leaves room for a loaded machine bunching a few of them.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(300);
    browser.abort();

    const lastSeen = first.events.at(-1)!.id!;
    const rest = await readSse(
      await api(`/api/workspace/chat/${sessionId}/stream`, {
        headers: { 'Last-Event-ID': String(lastSeen) },
      }),
      { until: untilDone },
    );
    expect(rest.events[0]!.id).toBe(lastSeen + 1);
    expect(typeOf(rest.events.at(-1)!)).toBe('done');
    expect(textOf([...first.events, ...rest.events])).toBe('z'.repeat(24));

    const history = (await (await api(`/api/workspace/session/${sessionId}/messages`)).json()) as {
      messages: { role: string; content: string; status: string }[];
    };
    expect(history.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(history.messages[1]).toMatchObject({ content: 'z'.repeat(24), status: 'completed' });
  });

  it('answers a resume at once even when nothing new has happened yet', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    standIn.script({
      blocks: [{ type: 'text', text: 'abcd', chunks: 4 }],
      hold: { afterChunks: 2, until: held },
    });
    const browser = new AbortController();
    const first = await readSse(
      await api('/api/workspace/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId, message: 'hold on' }),
        signal: browser.signal,
      }),
      { until: (_e, all) => all.filter((e) => typeOf(e) === 'text').length >= 2 },
    );
    browser.abort();
    // The run waits; a reconnecting browser must hear back now, not at the next heartbeat.
    const asked = Date.now();
    const resumed = await api(`/api/workspace/chat/${sessionId}/stream`, {
      headers: { 'Last-Event-ID': String(first.events.at(-1)!.id) },
    });
    expect(resumed.status).toBe(200);
    expect(Date.now() - asked).toBeLessThan(2_000);
    release();
    const rest = await readSse(resumed, { until: untilDone });
    expect(textOf([...first.events, ...rest.events])).toBe('abcd');
  });

  it('relays stop, permission and validation answers in the contract shape', async () => {
    const stop = await api(`/api/workspace/chat/${sessionId}/stop`, { method: 'POST' });
    expect(await stop.json()).toEqual({ stopped: false });
    const unknown = await api(`/api/workspace/chat/${sessionId}/permission`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: 'abcdefghij12', allow: true }),
    });
    expect(unknown.status).toBe(404);
    const bad = await api('/api/workspace/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, message: '' }),
    });
    expect(bad.status).toBe(422);
    for (const answer of [stop, unknown, bad])
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    const badId = await api(`/api/workspace/chat/${sessionId}/stream`, {
      headers: { 'Last-Event-ID': 'nope' },
    });
    expect(badId.status).toBe(422);
    const anonymous = await fetch(`${stack.webUrl}/api/workspace/chat/${sessionId}/stream`);
    expect(anonymous.status).toBe(401);
  });
});

import { existsSync, readFileSync } from 'node:fs';
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

import { startTestWorker, type TestWorker } from '../../testing/harness';
import { createSession, dataOf, engineEnv, typeOf, type Fetcher } from './chat-test-helpers';

/** The real Claude Code engine against scripted model turns, on real worktrees and SQLite. */
describe('agent chat with the real Claude Code engine', () => {
  let standIn: AnthropicStandIn;
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let repo: string;

  beforeAll(async () => {
    temp = makeTempDir('grove-chat-');
    repo = createSourceRepo(path.join(temp.dir, 'origin'));
    standIn = await startAnthropicStandIn();
    tw = await startTestWorker({
      ...engineEnv(standIn.url),
      GROVE_CHAT_PERMISSION_TIMEOUT_SECONDS: '2',
      GROVE_CHAT_MESSAGES_PER_HOUR: '3',
      GROVE_CHAT_DAILY_BUDGET_USD: '1',
      GROVE_CHAT_HEARTBEAT_MS: '200',
    });
  });

  afterAll(async () => {
    await tw?.close();
    tw?.cleanup();
    await standIn?.close();
    temp?.cleanup();
  });

  const worktreeOf = (id: string) => path.join(tw.dataDir, 'worktrees', id);
  const send = (api: Fetcher, sessionId: string, message: string) =>
    api('/chat', { json: { sessionId, message } });

  it('runs a scripted Write in the worktree, streamed as tool_use and tool_result, resumable from every id', async () => {
    const api = tw.fetchAs('alice');
    const sessionId = await createSession(api, repo);
    const target = path.join(worktreeOf(sessionId), 'notes', 'hello.txt');
    standIn.script(
      {
        blocks: [
          { type: 'text', text: 'Writing the file now.', chunks: 3 },
          {
            type: 'tool_use',
            name: 'Write',
            input: { file_path: target, content: 'hello from the agent\n' },
          },
        ],
      },
      { blocks: [{ type: 'text', text: 'The file is written.' }] },
    );
    const response = await send(api, sessionId, 'Please write notes/hello.txt');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const { events } = await readSse(response, { until: untilDone });

    expect(readFileSync(target, 'utf8')).toBe('hello from the agent\n');
    const types = events.map(typeOf);
    expect(types[0]).toBe('run');
    expect(types.at(-1)).toBe('done');
    expect(types).toContain('usage');
    expect(types).not.toContain('error');
    const toolUse = events.find((e) => typeOf(e) === 'tool_use')!;
    expect(dataOf(toolUse)).toMatchObject({ name: 'Write', input: { file_path: target } });
    const toolResult = events.find((e) => typeOf(e) === 'tool_result')!;
    expect(dataOf(toolResult)).toMatchObject({ toolUseId: dataOf(toolUse).id, isError: false });
    expect(types.indexOf('tool_use')).toBeLessThan(types.indexOf('tool_result'));
    const text = events
      .filter((e) => typeOf(e) === 'text')
      .map((e) => dataOf(e).text)
      .join('');
    expect(text).toBe('Writing the file now.The file is written.');
    const ids = events.map((e) => e.id!);
    ids.forEach((id, i) => expect(id).toBe(ids[0]! + i)); // increasing, no gaps

    // Resume from every event id: exactly the rest, nothing lost, nothing repeated.
    for (let i = 0; i < events.length; i++) {
      const resumed = await readSse(
        await api(`/chat/${sessionId}/stream`, { headers: { 'Last-Event-ID': String(ids[i]) } }),
      );
      expect(resumed.events).toEqual(events.slice(i + 1));
    }
    const replay = await readSse(await api(`/chat/${sessionId}/stream`));
    expect(replay.events).toEqual(events);

    const history = (await (await api(`/sessions/${sessionId}/messages`)).json()) as {
      messages: {
        role: string;
        content: string;
        status?: string;
        toolCalls?: { name: string; isError?: boolean }[];
        usage?: { costUsd: number };
      }[];
      engine: { ready: boolean };
    };
    expect(history.engine).toEqual({ ready: true });
    expect(history.messages).toHaveLength(2);
    expect(history.messages[0]).toMatchObject({
      role: 'user',
      content: 'Please write notes/hello.txt',
    });
    expect(history.messages[1]).toMatchObject({
      role: 'assistant',
      // The two text blocks (before and after the Write) stay apart in the history.
      content: 'Writing the file now.\n\nThe file is written.',
      status: 'completed',
      toolCalls: [{ name: 'Write', isError: false }],
    });
    expect(history.messages[1]!.usage!.costUsd).toBeGreaterThan(0);

    // The next message continues the same engine conversation (the first prompt is re-sent).
    const second = await readSse(await send(api, sessionId, 'And now?'), { until: untilDone });
    expect(second.events[0]!.id).toBe(ids.at(-1)! + 1);
    // Usage is per run, not the conversation's running total.
    const usageOf = (list: SseMessage[]) =>
      dataOf(list.find((e) => typeOf(e) === 'usage')!) as unknown as {
        costUsd: number;
        inputTokens: number;
      };
    expect(usageOf(second.events).costUsd).toBeLessThan(usageOf(events).costUsd);
    const lastMain = standIn.requests.filter((r) => r.main).at(-1)!;
    expect(JSON.stringify(lastMain.body.messages)).toContain('Please write notes/hello.txt');
  });

  it('continues live when a client reconnects mid-run, and refuses a second run with 409', async () => {
    const api = tw.fetchAs('bruno');
    const sessionId = await createSession(api, repo);
    standIn.script({ blocks: [{ type: 'text', text: 'x'.repeat(30), chunks: 30 }], delayMs: 60 });
    const first = await readSse(await send(api, sessionId, 'count slowly'), {
      until: (_e, all) => all.filter((e) => typeOf(e) === 'text').length >= 3,
    });
    const busy = await send(api, sessionId, 'another');
    expect(busy.status).toBe(409);
    const lastSeen = first.events.at(-1)!.id!;
    // An id ahead of what is stored: only the events after it, none it claims to have seen.
    const ahead = lastSeen + 3;
    const fromAhead = await readSse(
      await api(`/chat/${sessionId}/stream`, { headers: { 'Last-Event-ID': String(ahead) } }),
      { until: (e) => e.id! >= ahead + 2 },
    );
    expect(fromAhead.events.map((e) => e.id)).toEqual([ahead + 1, ahead + 2]);
    const rest = await readSse(
      await api(`/chat/${sessionId}/stream`, { headers: { 'Last-Event-ID': String(lastSeen) } }),
      { until: untilDone },
    );
    expect(rest.events[0]!.id).toBe(lastSeen + 1);
    expect(typeOf(rest.events.at(-1)!)).toBe('done');
    const all = [...first.events, ...rest.events];
    const full = await readSse(await api(`/chat/${sessionId}/stream`));
    expect(all).toEqual(full.events);
    const text = all
      .filter((e) => typeOf(e) === 'text')
      .map((e) => dataOf(e).text)
      .join('');
    expect(text).toBe('x'.repeat(30));
  });

  it('ends a run at once when the model API refuses the key, saying so (no minutes of retries)', async () => {
    const api = tw.fetchAs('hana');
    const sessionId = await createSession(api, repo);
    standIn.script({
      error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
    });
    const started = Date.now();
    const { events } = await readSse(await send(api, sessionId, 'hello'), { until: untilDone });
    expect(Date.now() - started).toBeLessThan(15_000);
    const error = events.find((e) => typeOf(e) === 'error');
    expect(dataOf(error!)).toMatchObject({ code: 'engine_error' });
    expect(String(dataOf(error!).message)).toContain(
      "refused the worker's ANTHROPIC_API_KEY (HTTP 401)",
    );
    expect(events.some((e) => typeOf(e) === 'text')).toBe(false);
    expect(typeOf(events.at(-1)!)).toBe('done');
  });

  it('stops a run within 2 s, ending with done, and sends heartbeats meanwhile', async () => {
    const api = tw.fetchAs('carla');
    const sessionId = await createSession(api, repo);
    standIn.script({ blocks: [{ type: 'text', text: 'y'.repeat(200), chunks: 200 }], delayMs: 50 });
    const response = await send(api, sessionId, 'talk for a long time');
    let stoppedAt = 0;
    let stopAnswer: Promise<Response> | undefined;
    const read = readSse(response, {
      until: untilDone,
      onEvent: (event) => {
        if (typeOf(event) === 'text' && !stopAnswer) {
          // Let a heartbeat or two pass first.
          stopAnswer = new Promise((resolve) => setTimeout(resolve, 450)).then(() => {
            stoppedAt = Date.now();
            return api(`/chat/${sessionId}/stop`, { method: 'POST' });
          });
        }
      },
    });
    const { events, comments } = await read;
    const doneAt = Date.now();
    expect(doneAt - stoppedAt).toBeLessThan(2_000);
    expect(await (await stopAnswer!).json()).toEqual({ stopped: true });
    expect(comments).toContain('ping');
    expect(dataOf(events.at(-2)!)).toMatchObject({ type: 'error', code: 'stopped' });
    expect(typeOf(events.at(-1)!)).toBe('done');
    expect(events.filter((e) => typeOf(e) === 'text').length).toBeLessThan(200);
    // Stopping again is harmless, and the session takes a new message.
    expect(await (await api(`/chat/${sessionId}/stop`, { method: 'POST' })).json()).toEqual({
      stopped: false,
    });
  });

  it('asks before Bash and runs it only when allowed; deny and timeout refuse it', async () => {
    const api = tw.fetchAs('dora');
    const sessionId = await createSession(api, repo);
    const worktree = worktreeOf(sessionId);
    const bash = (file: string) => ({
      blocks: [
        {
          type: 'tool_use' as const,
          name: 'Bash',
          input: { command: `echo ran > ${file}`, description: 'write a marker' },
        },
      ],
    });

    for (const [answer, file] of [
      ['allow', 'allowed.txt'],
      ['deny', 'denied.txt'],
      ['none', 'timeout.txt'],
    ] as const) {
      standIn.script(bash(file), { blocks: [{ type: 'text', text: 'ok' }] });
      let fileExistedAtRequest: boolean | undefined;
      const { events } = await readSse(await send(api, sessionId, `run ${answer}`), {
        until: untilDone,
        onEvent: (event) => {
          if (typeOf(event) !== 'permission_request') return;
          fileExistedAtRequest = existsSync(path.join(worktree, file));
          if (answer === 'none') return;
          void api(`/chat/${sessionId}/permission`, {
            json: { requestId: dataOf(event).requestId, allow: answer === 'allow' },
          }).then((r) => expect(r.status).toBe(200));
        },
      });
      const request = events.find((e) => typeOf(e) === 'permission_request')!;
      expect(dataOf(request)).toMatchObject({
        tool: 'Bash',
        input: { command: `echo ran > ${file}` },
      });
      expect(fileExistedAtRequest).toBe(false);
      const result = dataOf(events.find((e) => typeOf(e) === 'tool_result')!);
      expect(result.isError, answer).toBe(answer !== 'allow');
      expect(existsSync(path.join(worktree, file)), answer).toBe(answer === 'allow');
    }
    // The history keeps each answer in order: the call, the permission and what became of
    // it, then the text — as it streamed, not the calls lumped ahead of the text.
    const history = (await (await api(`/sessions/${sessionId}/messages`)).json()) as {
      messages: { role: string; parts?: { type: string; answer?: string; text?: string }[] }[];
    };
    const answers = history.messages.filter((m) => m.role === 'assistant');
    expect(answers.map((m) => m.parts?.map((p) => p.type))).toEqual([
      ['tool', 'permission', 'text'],
      ['tool', 'permission', 'text'],
      ['tool', 'permission', 'text'],
    ]);
    expect(answers.map((m) => m.parts?.[1]?.answer)).toEqual(['allowed', 'denied', 'denied']);
    expect(answers[0]!.parts?.[2]?.text).toBe('ok');
    // An unknown request id is a 404, a malformed body a 422.
    expect(
      (
        await api(`/chat/${sessionId}/permission`, {
          json: { requestId: 'abcdefghij12', allow: true },
        })
      ).status,
    ).toBe(404);
    expect(
      (await api(`/chat/${sessionId}/permission`, { json: { requestId: 'x', allow: 'yes' } }))
        .status,
    ).toBe(422);
  });

  it('records a permission still waiting when the run is stopped as denied, and never runs it', async () => {
    const api = tw.fetchAs('edna');
    const sessionId = await createSession(api, repo);
    // One turn: the stop comes before the engine could ask the model for another.
    standIn.script({
      blocks: [
        {
          type: 'tool_use',
          name: 'Bash',
          input: { command: 'echo ran > stopped.txt', description: 'write a marker' },
        },
      ],
    });
    const { events } = await readSse(await send(api, sessionId, 'run, then be stopped'), {
      until: untilDone,
      onEvent: (event) => {
        if (typeOf(event) === 'permission_request')
          void api(`/chat/${sessionId}/stop`, { method: 'POST' });
      },
    });
    expect(dataOf(events.at(-2)!)).toMatchObject({ type: 'error', code: 'stopped' });
    expect(existsSync(path.join(worktreeOf(sessionId), 'stopped.txt'))).toBe(false);
    const history = (await (await api(`/sessions/${sessionId}/messages`)).json()) as {
      messages: { role: string; parts?: { type: string; answer?: string }[] }[];
    };
    const answer = history.messages.find((m) => m.role === 'assistant')!;
    expect(answer.parts?.find((p) => p.type === 'permission')?.answer).toBe('denied');
  });

  it("keeps the operator's model key out of the agent's shell: its run's key dies with the run", async () => {
    const api = tw.fetchAs('fern');
    const sessionId = await createSession(api, repo);
    const command = 'env > env.txt; printf %s "$ANTHROPIC_API_KEY" > key.txt';
    standIn.script(
      { blocks: [{ type: 'tool_use', name: 'Bash', input: { command, description: 'env' } }] },
      { blocks: [{ type: 'text', text: 'ok' }] },
    );
    const seen = standIn.requests.length;
    await readSse(await send(api, sessionId, 'show me the environment'), {
      until: untilDone,
      onEvent: (event) => {
        if (typeOf(event) === 'permission_request')
          void api(`/chat/${sessionId}/permission`, {
            json: { requestId: dataOf(event).requestId, allow: true },
          });
      },
    });
    const worktree = worktreeOf(sessionId);
    const shellEnv = readFileSync(path.join(worktree, 'env.txt'), 'utf8');
    const runKey = readFileSync(path.join(worktree, 'key.txt'), 'utf8');
    expect(shellEnv).not.toContain('sk-ant-test-key');
    expect(runKey).toMatch(/^grove-run-/);
    // The model API got the real key, on every request of the run.
    const asked = standIn.requests.slice(seen);
    expect(asked.length).toBeGreaterThan(0);
    for (const request of asked) expect(request.headers['x-api-key']).toBe('sk-ant-test-key');
    // The run is over: its key opens nothing (the gateway is the shell's ANTHROPIC_BASE_URL).
    const gateway = /^ANTHROPIC_BASE_URL=(.+)$/m.exec(shellEnv)![1]!;
    expect(gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const late = await fetch(`${gateway}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': runKey, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(late.status).toBe(401);
    expect(standIn.requests.length).toBe(seen + asked.length);
  });

  it('refuses the fourth message in an hour with 429 and the rate-limit fields', async () => {
    const api = tw.fetchAs('erin');
    const sessionId = await createSession(api, repo);
    for (let i = 0; i < 3; i++) {
      const { events } = await readSse(await send(api, sessionId, `message ${i}`), {
        until: untilDone,
      });
      expect(typeOf(events.at(-1)!)).toBe('done');
    }
    const limited = await send(api, sessionId, 'one too many');
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { error: Record<string, number | string> };
    expect(body.error).toMatchObject({ code: 'rate_limited', limit: 3, remaining: 0 });
    expect(body.error.retryAfter).toBeGreaterThan(3000);
    expect(body.error.reset).toBeGreaterThan(Date.now() / 1000);
    expect(limited.headers.get('retry-after')).toBe(String(body.error.retryAfter));
  });

  it('hard-stops a run that crosses the daily budget, then refuses new runs with 429', async () => {
    const api = tw.fetchAs('felix');
    const sessionId = await createSession(api, repo);
    const marker = path.join(worktreeOf(sessionId), 'expensive.txt');
    standIn.script(
      {
        blocks: [{ type: 'tool_use', name: 'Write', input: { file_path: marker, content: 'x\n' } }],
        usage: { inputTokens: 2_000_000, outputTokens: 10 },
      },
      { blocks: [{ type: 'text', text: 'should never be asked for' }] },
      { blocks: [{ type: 'text', text: 'nor this' }] },
    );
    const before = standIn.requests.filter((r) => r.main).length;
    const { events } = await readSse(await send(api, sessionId, 'spend a lot'), {
      until: untilDone,
    });
    expect(events.map(typeOf)).toContain('usage');
    expect(dataOf(events.at(-2)!)).toMatchObject({ type: 'error', code: 'budget_exceeded' });
    expect(standIn.requests.filter((r) => r.main).length - before).toBe(1);
    const usage = dataOf(events.find((e) => typeOf(e) === 'usage')!);
    expect(usage.costUsd).toBeGreaterThan(1);
    const refused = await send(api, sessionId, 'more please');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'budget_exceeded',
    );
    // Drain the unused turns so later tests get their own script.
    while (standIn.pending() > 0)
      await readSse(
        await send(tw.fetchAs('drain'), await createSession(tw.fetchAs('drain'), repo), 'drain'),
        { until: untilDone },
      );
  });

  it("answers 404 for another user's session on every chat route", async () => {
    const owner = tw.fetchAs('gina');
    const sessionId = await createSession(owner, repo);
    await readSse(await send(owner, sessionId, 'hello'), { until: untilDone });
    const mallory = tw.fetchAs('mallory');
    const answers = [
      await send(mallory, sessionId, 'hijack'),
      await mallory(`/chat/${sessionId}/stream`),
      await mallory(`/chat/${sessionId}/stop`, { method: 'POST' }),
      await mallory(`/chat/${sessionId}/permission`, {
        json: { requestId: 'abcdefghij12', allow: true },
      }),
      await mallory(`/sessions/${sessionId}/messages`),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    expect((await owner(`/sessions/${sessionId}/messages`)).status).toBe(200);
  });
});

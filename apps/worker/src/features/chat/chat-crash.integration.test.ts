import { existsSync } from 'node:fs';
import path from 'node:path';

import {
  childPidsOf,
  createSourceRepo,
  isProcessAlive,
  makeTempDir,
  readSse,
  startAnthropicStandIn,
  startProcess,
  untilDone,
  workerFetcher,
  type AnthropicStandIn,
  type StartedProcess,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TEST_SECRET } from '../../testing/harness';
import { createSession, dataOf, engineEnv, typeOf } from './chat-test-helpers';

const WORKER_ENTRY = path.resolve(import.meta.dirname, '../../../dist/main.js');

describe('a worker killed mid-run (SIGKILL)', () => {
  let standIn: AnthropicStandIn;
  let temp: ReturnType<typeof makeTempDir>;
  let worker: (StartedProcess & { baseUrl: string }) | undefined;

  async function startWorker(dataDir: string) {
    const started = await startProcess(process.execPath, [WORKER_ENTRY], {
      env: {
        ...engineEnv(standIn.url),
        WORKER_SECRET: TEST_SECRET,
        GROVE_DATA_DIR: dataDir,
        WORKER_PORT: '0',
      },
      ready: /"port":(\d+).*"msg":"worker listening"/,
    });
    return { ...started, baseUrl: `http://127.0.0.1:${started.match[1]}` };
  }

  beforeAll(async () => {
    expect(existsSync(WORKER_ENTRY), 'build the worker first (turbo runs build before test)').toBe(
      true,
    );
    temp = makeTempDir('grove-chat-crash-');
    standIn = await startAnthropicStandIn();
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await standIn?.close();
    temp?.cleanup();
  });

  it('closes the run as interrupted on restart and keeps the history up to the kill', async () => {
    const repo = createSourceRepo(path.join(temp.dir, 'origin'));
    const dataDir = path.join(temp.dir, 'data');
    worker = await startWorker(dataDir);
    let api = workerFetcher({ baseUrl: worker.baseUrl, secret: TEST_SECRET, userId: 'alice' });
    const sessionId = await createSession(api, repo);
    standIn.script({ blocks: [{ type: 'text', text: 'w'.repeat(100), chunks: 100 }], delayMs: 50 });
    const before = await readSse(
      await api('/chat', { json: { sessionId, message: 'long answer' } }),
      {
        until: (_e, all) => all.filter((e) => typeOf(e) === 'text').length >= 5,
      },
    );
    const engines = childPidsOf(worker.pid);
    expect(engines.length, 'the engine runs as a child of the worker').toBeGreaterThan(0);
    await worker.stop('SIGKILL');
    // The engine dies with the worker: no agent left running unsupervised in the worktree.
    await expect.poll(() => engines.filter(isProcessAlive), { timeout: 5_000 }).toEqual([]);

    worker = await startWorker(dataDir);
    api = workerFetcher({ baseUrl: worker.baseUrl, secret: TEST_SECRET, userId: 'alice' });
    const replay = await readSse(await api(`/chat/${sessionId}/stream`), { until: untilDone });
    // Everything seen before the kill is still there, in order, then the closing events.
    expect(replay.events.slice(0, before.events.length)).toEqual(before.events);
    expect(dataOf(replay.events.at(-2)!)).toMatchObject({ type: 'error', code: 'interrupted' });
    expect(typeOf(replay.events.at(-1)!)).toBe('done');
    const ids = replay.events.map((e) => e.id!);
    ids.forEach((id, i) => expect(id).toBe(ids[0]! + i));

    const { messages } = (await (await api(`/sessions/${sessionId}/messages`)).json()) as {
      messages: { role: string; content: string; status?: string; error?: { code: string } }[];
    };
    expect(messages[0]).toMatchObject({ role: 'user', content: 'long answer' });
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      status: 'interrupted',
      error: { code: 'interrupted' },
    });
    expect(messages[1]!.content.length).toBeGreaterThanOrEqual(5);

    // Nothing is left running: the session takes a new message, and its ids keep increasing.
    const next = await readSse(await api('/chat', { json: { sessionId, message: 'again' } }), {
      until: untilDone,
    });
    expect(next.events[0]!.id).toBe(ids.at(-1)! + 1);
    expect(typeOf(next.events.at(-1)!)).toBe('done');
  });
});

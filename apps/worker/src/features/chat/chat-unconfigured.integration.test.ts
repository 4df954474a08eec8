import path from 'node:path';

import { createSourceRepo, makeTempDir } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';
import { createSession } from './chat-test-helpers';

/** The real engine with no credentials: a clear refusal up front, not Claude Code's login text. */
describe('agent chat without ANTHROPIC_API_KEY', () => {
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let repo: string;

  beforeAll(async () => {
    temp = makeTempDir('grove-chat-unset-');
    repo = createSourceRepo(path.join(temp.dir, 'origin'));
    tw = await startTestWorker({ PATH: process.env.PATH, HOME: process.env.HOME });
  });

  afterAll(async () => {
    await tw?.close();
    tw?.cleanup();
    temp?.cleanup();
  });

  it('answers 503 engine_unavailable naming the variable, and stores no run', async () => {
    const alice = tw.fetchAs('alice');
    const sessionId = await createSession(alice, repo);
    const response = await alice('/chat', { json: { sessionId, message: 'hello' } });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('engine_unavailable');
    expect(body.error.message).toContain('ANTHROPIC_API_KEY');
    const history = (await (await alice(`/sessions/${sessionId}/messages`)).json()) as {
      messages: unknown[];
      engine: { ready: boolean; message?: string };
    };
    expect(history.messages).toEqual([]);
    // The history says so too, before anything is sent.
    expect(history.engine.ready).toBe(false);
    expect(history.engine.message).toContain('ANTHROPIC_API_KEY');
  });
});

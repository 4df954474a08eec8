import type { SseMessage } from '@grove/testkit';

import type { TestWorker } from '../../testing/harness';

export type Fetcher = ReturnType<TestWorker['fetchAs']>;

export interface EventData {
  type: string;
  [key: string]: unknown;
}

export const typeOf = (event: SseMessage): string => (event.data as EventData).type;
export const dataOf = (event: SseMessage): EventData => event.data as EventData;

/** Creates a session on `repo` for the fetcher's user and returns its id and worktree. */
export async function createSession(api: Fetcher, repo: string): Promise<string> {
  const response = await api('/sessions', { json: { repo } });
  if (response.status !== 201) throw new Error(`create failed: ${response.status}`);
  return ((await response.json()) as { session: { id: string } }).session.id;
}

/** Environment for a worker whose engine talks to the stand-in. */
export function engineEnv(standInUrl: string): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    ANTHROPIC_BASE_URL: standInUrl,
  };
}

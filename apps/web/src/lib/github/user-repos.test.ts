import { createServer } from 'node:net';

import { isAppError } from '@grove/contract';
import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));

/** A loopback port nothing listens on (taken, then given back). */
const closedPort = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});
vi.mock('@/env', () => ({
  env: () => ({ mode: 'local', githubApiUrl: `http://127.0.0.1:${closedPort}` }),
}));

const { listUserRepos } = await import('./user-repos');

describe('listUserRepos', () => {
  it('answers 502 github_error, naming GitHub, when GitHub cannot be reached (not a 500)', async () => {
    const error: unknown = await listUserRepos('gho_token').catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('github_error');
    expect(isAppError(error) && error.status).toBe(502);
    expect(String((error as Error).message)).toContain('GitHub could not be reached');
    expect(String((error as Error).message)).not.toContain('gho_token');
  });
});

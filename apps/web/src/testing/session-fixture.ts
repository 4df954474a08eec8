import type { Session } from '@grove/contract';

/** An active session as the worker describes one; `overrides` set what a test cares about. */
export function sessionFixture(overrides: Partial<Session> = {}): Session {
  const id = overrides.id ?? 'session0001';
  return {
    id,
    repo: 'octo/hello',
    baseBranch: 'main',
    branchName: `session/${id}`,
    name: null,
    status: 'active',
    error: null,
    pushedAt: null,
    behindBase: false,
    pullRequest: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

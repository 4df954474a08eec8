import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));
vi.mock('react', async (original) => ({
  ...(await original<object>()),
  // No React request scope here: every call reads afresh.
  cache: <T>(fn: T) => fn,
}));
vi.mock('@/env', () => ({
  env: () => ({ mode: 'supabase', allowedUsers: new Set(['octo', 'hubot']) }),
}));
let claims: Record<string, unknown> = {};
vi.mock('@/lib/supabase/server', () => ({
  createClient: () => Promise.resolve({ auth: { getClaims: () => ({ data: { claims } }) } }),
}));

/** The logins Grove recorded at sign-in (github-token.ts), by user id. */
const recorded = new Map<string, string>([
  ['u-1', 'mallory'],
  ['u-2', 'octo'],
  ['u-4', 'mallory'],
]);
vi.mock('./github-token', () => ({
  recordedGitHubLogin: (userId: string) => Promise.resolve(recorded.get(userId)),
}));

const { getCurrentUser, isAllowedLogin } = await import('./current-user');

describe('GROVE_ALLOWED_USERS', () => {
  it('compares GitHub logins without case; nobody else is allowed', () => {
    expect(isAllowedLogin('Octo')).toBe(true);
    expect(isAllowedLogin('HUBOT')).toBe(true);
    expect(isAllowedLogin('mallory')).toBe(false);
    expect(isAllowedLogin(undefined)).toBe(false);
  });

  it('judges the login Grove recorded at sign-in, never the one user_metadata claims', async () => {
    // Taken off the list since signing in.
    claims = { sub: 'u-1', user_metadata: { user_name: 'mallory' } };
    expect(await getCurrentUser()).toBeUndefined();
    claims = { sub: 'u-2', user_metadata: { user_name: 'octo' } };
    expect(await getCurrentUser()).toMatchObject({ id: 'u-2', login: 'octo' });
    // user_metadata rewritten by its user (PUT /auth/v1/user) to a login on the list.
    claims = { sub: 'u-4', user_metadata: { user_name: 'octo' } };
    expect(await getCurrentUser()).toBeUndefined();
    // An account that never signed in through GitHub here (an email sign-up): no record.
    claims = { sub: 'u-3', email: 'eve@example.com' };
    expect(await getCurrentUser()).toBeUndefined();
    claims = { sub: 'u-5', user_metadata: { user_name: 'hubot' } };
    expect(await getCurrentUser()).toBeUndefined();
  });
});

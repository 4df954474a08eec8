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

const { getCurrentUser, isAllowedLogin } = await import('./current-user');

describe('GROVE_ALLOWED_USERS', () => {
  it('compares GitHub logins without case; nobody else is allowed', () => {
    expect(isAllowedLogin('Octo')).toBe(true);
    expect(isAllowedLogin('HUBOT')).toBe(true);
    expect(isAllowedLogin('mallory')).toBe(false);
    expect(isAllowedLogin(undefined)).toBe(false);
  });

  it('signs out a session whose JWT names a login no longer on the list', async () => {
    claims = { sub: 'u-1', user_metadata: { user_name: 'mallory' } };
    expect(await getCurrentUser()).toBeUndefined();
    claims = { sub: 'u-2', user_metadata: { user_name: 'octo' } };
    expect(await getCurrentUser()).toMatchObject({ id: 'u-2', login: 'octo' });
  });
});

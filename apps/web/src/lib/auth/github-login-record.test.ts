import { isAppError } from '@grove/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));
vi.mock('@/env', () => ({ env: () => ({ mode: 'supabase' }) }));
const get = vi.fn<(userId: string) => Promise<{ githubLogin: string | null } | undefined>>();
vi.mock('./supabase-token-vault', () => ({ supabaseTokenVault: () => ({ get }) }));

const { recordedGitHubLogin } = await import('./github-token');

describe('recordedGitHubLogin (who a Supabase user is on GitHub, as Grove recorded it)', () => {
  afterEach(() => vi.useRealTimers());

  it('reads the record at most once a minute, and the last one read while the vault is down', async () => {
    vi.useFakeTimers();
    get.mockResolvedValueOnce({ githubLogin: 'octo' });
    expect(await recordedGitHubLogin('u-1')).toBe('octo');
    expect(await recordedGitHubLogin('u-1')).toBe('octo');
    expect(get).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(61_000);
    get.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    expect(await recordedGitHubLogin('u-1')).toBe('octo');
  });

  it('has none for a user without a record, and says Supabase is down when it cannot tell', async () => {
    get.mockResolvedValueOnce(undefined);
    expect(await recordedGitHubLogin('u-2')).toBeUndefined();
    get.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    const refused = await recordedGitHubLogin('u-3').catch((error: unknown) => error);
    expect(isAppError(refused) && refused.code).toBe('supabase_unavailable');
  });
});

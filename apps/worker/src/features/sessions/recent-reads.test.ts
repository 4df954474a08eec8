import { afterEach, describe, expect, it, vi } from 'vitest';

import { RecentReads } from './recent-reads';
import { resolveRepoSource } from './repo-source';

const GITHUB = 'https://github.com';

describe('RecentReads', () => {
  afterEach(() => vi.useRealTimers());

  it("keeps a token's read of a GitHub repository for the window, per token and repository", () => {
    vi.useFakeTimers();
    const reads = new RecentReads(30_000);
    const app = resolveRepoSource('octo/app', { githubUrl: GITHUB, allowLocalRepos: false });
    const lib = resolveRepoSource('octo/lib', { githubUrl: GITHUB, allowLocalRepos: false });
    reads.remember(app, 'token-a');
    expect(reads.has(app, 'token-a')).toBe(true);
    expect(reads.has(app, 'token-b')).toBe(false);
    expect(reads.has(app, undefined)).toBe(false);
    expect(reads.has(lib, 'token-a')).toBe(false);
    vi.advanceTimersByTime(30_000);
    expect(reads.has(app, 'token-a')).toBe(false);
    // Expired entries go as new ones come.
    reads.remember(lib, 'token-a');
    expect(reads.size).toBe(1);
  });

  it('keeps nothing for a remote that is not GitHub', () => {
    const reads = new RecentReads();
    const local = resolveRepoSource('/srv/repos/app', { githubUrl: GITHUB, allowLocalRepos: true });
    reads.remember(local, undefined);
    expect(reads.has(local, undefined)).toBe(false);
    expect(reads.size).toBe(0);
  });
});

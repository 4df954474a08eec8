import { describe, expect, it } from 'vitest';

import { resolveRepoSource } from './repo-source';

const options = { githubUrl: 'https://github.com', allowLocalRepos: true };

describe('resolveRepoSource', () => {
  it('maps owner/name and its URL forms to one mirror that may get the GitHub token', () => {
    const slug = resolveRepoSource('Octo/Hello', options);
    const url = resolveRepoSource('https://github.com/Octo/Hello.git', options);
    const bare = resolveRepoSource('https://github.com/Octo/Hello', options);
    expect(slug.remoteUrl).toBe('https://github.com/Octo/Hello.git');
    expect(url.key).toBe(slug.key);
    expect(bare.key).toBe(slug.key);
    expect(slug.isGitHub).toBe(true);
  });

  it('never marks another host as GitHub, so the token cannot leak there', () => {
    const other = resolveRepoSource('https://gitlab.example.com/o/r.git', options);
    expect(other.isGitHub).toBe(false);
    expect(other.key).not.toBe(resolveRepoSource('o/r', options).key);
  });

  it('accepts local paths only when allowed', () => {
    const local = resolveRepoSource('/srv/repo', options);
    expect(local).toMatchObject({ isLocal: true, isGitHub: false, remoteUrl: 'file:///srv/repo' });
    expect(resolveRepoSource('file:///srv/repo', options).key).toBe(local.key);
    expect(() => resolveRepoSource('/srv/repo', { ...options, allowLocalRepos: false })).toThrow(
      /not allowed/,
    );
  });

  it('lets GitHub Enterprise or a test stand-in use http only on its own host', () => {
    const enterprise = { githubUrl: 'http://127.0.0.1:9999', allowLocalRepos: false };
    expect(resolveRepoSource('o/r', enterprise)).toMatchObject({
      remoteUrl: 'http://127.0.0.1:9999/o/r.git',
      isGitHub: true,
    });
    expect(() => resolveRepoSource('http://127.0.0.2:9999/o/r.git', enterprise)).toThrow(/https/);
  });

  it('keeps mirror keys filesystem-safe', () => {
    expect(resolveRepoSource('/a b/../c;rm -rf', options).key).toMatch(/^[A-Za-z0-9._-]+$/);
  });
});

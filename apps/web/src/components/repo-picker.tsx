'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';

export interface GitHubRepo {
  fullName: string;
  defaultBranch: string;
  private: boolean;
}

type RepoList =
  | { kind: 'loading' }
  | { kind: 'ready'; repos: GitHubRepo[] }
  | { kind: 'connect' }
  | { kind: 'unavailable'; reason: string | undefined };

/** The answers that mean "no usable GitHub token yet": connecting one in Settings fixes them. */
const NEEDS_GITHUB = new Set(['unauthorized', 'github_token_required', 'github_reauth_required']);

/**
 * The user's GitHub repositories as a picker. When the list cannot be had (no GitHub token
 * yet, GitHub down, the route not deployed) the picker steps aside and the text field alone
 * is used; only a reason worth acting on is shown.
 */
export function RepoPicker({
  onPick,
  connected,
}: {
  onPick: (repo: GitHubRepo) => void;
  /** False when the page knows there is no GitHub token: no request bound to fail. */
  connected?: boolean | undefined;
}) {
  const [list, setList] = useState<RepoList>(
    connected === false ? { kind: 'connect' } : { kind: 'loading' },
  );
  const [filter, setFilter] = useState('');

  useEffect(() => {
    if (connected === false) return;
    let cancelled = false;
    apiFetch<{ repos: GitHubRepo[] }>('/api/user/repos', { cache: 'no-store' })
      .then((data) => {
        if (!cancelled) setList({ kind: 'ready', repos: data.repos });
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        if (error instanceof ApiError && error.status === 404)
          setList({ kind: 'unavailable', reason: undefined });
        else if (error instanceof ApiError && NEEDS_GITHUB.has(error.code))
          setList({ kind: 'connect' });
        else
          setList({
            kind: 'unavailable',
            reason: `GitHub repositories unavailable: ${error instanceof Error ? error.message : String(error)}`,
          });
      });
    return () => {
      cancelled = true;
    };
  }, [connected]);

  if (list.kind === 'loading') return <p className="muted small">Loading your repositories…</p>;
  if (list.kind === 'connect')
    return (
      <p className="muted small">
        <Link href="/settings">Connect GitHub in Settings</Link> to pick from your repositories, or
        enter a repository below.
      </p>
    );
  if (list.kind === 'unavailable')
    return list.reason ? <p className="muted small">{list.reason}</p> : null;
  if (list.repos.length === 0) return <p className="muted small">No GitHub repositories found.</p>;
  const needle = filter.trim().toLowerCase();
  const shown = list.repos.filter((r) => r.fullName.toLowerCase().includes(needle)).slice(0, 50);
  return (
    <fieldset className="repo-picker">
      <legend>Your GitHub repositories</legend>
      <label htmlFor="repo-filter" className="visually-hidden">
        Filter repositories
      </label>
      <input
        id="repo-filter"
        type="search"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
        placeholder="Filter…"
      />
      <ul>
        {shown.map((repo) => (
          <li key={repo.fullName}>
            <button type="button" className="link-button" onClick={() => onPick(repo)}>
              {repo.fullName}
            </button>{' '}
            <span className="muted small">
              {repo.defaultBranch}
              {repo.private ? ' · private' : ''}
            </span>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

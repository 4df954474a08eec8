import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { AppError } from '@grove/contract';

export interface RepoSource {
  /** What git fetches from. Never carries credentials. */
  remoteUrl: string;
  /** Stable identity of the repository: mirror folder name, lock key, limit bucket. */
  key: string;
  /** True when the remote is the configured GitHub and may receive the user's token. */
  isGitHub: boolean;
  isLocal: boolean;
}

export interface RepoSourceOptions {
  githubUrl: string;
  allowLocalRepos: boolean;
}

/**
 * Resolves the contract's `repo` (owner/name, https URL, absolute path, file:// URL) to the
 * remote a mirror fetches from. Local sources are refused unless the worker allows them.
 */
export function resolveRepoSource(repo: string, options: RepoSourceOptions): RepoSource {
  const github = new URL(options.githubUrl);
  let remote: URL;
  let isLocal = false;
  if (/^[^/:]+\/[^/]+$/.test(repo)) {
    remote = new URL(`${github.href.replace(/\/+$/, '')}/${repo.replace(/\.git$/, '')}.git`);
  } else if (repo.startsWith('/') || repo.startsWith('file:')) {
    isLocal = true;
    remote = repo.startsWith('/') ? pathToFileURL(path.resolve(repo)) : new URL(repo);
  } else {
    remote = new URL(repo);
  }
  if (isLocal && !options.allowLocalRepos) {
    throw new AppError('local_repos_disabled', 'Local repositories are not allowed on this worker');
  }
  if (
    !isLocal &&
    remote.protocol !== 'https:' &&
    !(remote.protocol === 'http:' && remote.host === github.host)
  ) {
    throw new AppError('validation_failed', 'repo must use https://');
  }
  const isGitHub = !isLocal && remote.protocol === github.protocol && remote.host === github.host;
  // Normalise so owner/name and its https URL share one mirror.
  const pathname = remote.pathname.replace(/\/+$/, '');
  const normalised = isLocal
    ? `file://${pathname}`
    : `${remote.protocol}//${remote.host}${pathname.replace(/\.git$/, '')}.git`;
  const readable = normalised
    .replace(/^[a-z]+:\/\//, '')
    .replace(/\.git$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-60);
  const digest = createHash('sha256')
    .update(isGitHub ? normalised.toLowerCase() : normalised)
    .digest('hex')
    .slice(0, 12);
  return { remoteUrl: normalised, key: `${readable}-${digest}`, isGitHub, isLocal };
}

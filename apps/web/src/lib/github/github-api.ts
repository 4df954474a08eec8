import 'server-only';

import { AppError } from '@grove/contract';

import { env } from '@/env';

/**
 * A GET of GitHub's REST API (`path` from its root, e.g. `/user`) with the user's token. A
 * GitHub that cannot be reached is `github_error`; the answer, whatever its status, is the
 * caller's to read.
 */
export async function githubApiGet(path: string, token: string): Promise<Response> {
  return fetch(`${env().githubApiUrl}${path}`, {
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${token}`,
      'x-github-api-version': '2022-11-28',
    },
    signal: AbortSignal.timeout(10_000),
    cache: 'no-store',
  }).catch((error: unknown) => {
    throw new AppError('github_error', `GitHub could not be reached (${env().githubApiUrl})`, {
      cause: error,
    });
  });
}

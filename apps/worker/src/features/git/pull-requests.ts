import { AppError, type PullRequest } from '@grove/contract';
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';

export interface OpenPullRequest {
  owner: string;
  repo: string;
  head: string;
  base: string;
  title: string;
  body?: string | undefined;
  draft?: boolean | undefined;
}

/** `owner/repo` of a GitHub remote URL (`<githubUrl>/owner/repo.git`), or undefined. */
export function githubRepoOf(
  remoteUrl: string,
  githubUrl: string,
): { owner: string; repo: string } | undefined {
  const github = new URL(githubUrl);
  const remote = new URL(remoteUrl);
  if (remote.origin !== github.origin) return undefined;
  const prefix = github.pathname.replace(/\/+$/, '');
  if (!remote.pathname.startsWith(`${prefix}/`)) return undefined;
  const [owner, repo, ...rest] = remote.pathname
    .slice(prefix.length + 1)
    .replace(/\.git$/, '')
    .split('/');
  if (!owner || !repo || rest.length > 0) return undefined;
  return { owner, repo };
}

function describeGitHubError(error: unknown): AppError {
  const status = (error as { status?: number }).status;
  const data = (error as { response?: { data?: { message?: string; errors?: unknown[] } } })
    .response?.data;
  const detail = data?.errors
    ?.map((e) =>
      typeof e === 'string'
        ? e
        : ((e as { message?: string; field?: string; code?: string }).message ??
          `${(e as { field?: string }).field ?? ''} ${(e as { code?: string }).code ?? ''}`.trim()),
    )
    .filter(Boolean)
    .join('; ');
  const message =
    [data?.message, detail].filter(Boolean).join(': ') || 'GitHub refused the request';
  if (status === 401)
    return new AppError('github_auth_failed', `GitHub: ${message}`, { cause: error });
  if (status === 403 || status === 404)
    return new AppError('github_auth_failed', `GitHub refused access: ${message}`, {
      cause: error,
    });
  if (status === 422)
    return new AppError('validation_failed', `GitHub: ${message}`, {
      cause: error,
      details: [{ path: 'pr', message }],
    });
  return new AppError('github_error', `GitHub answered ${status ?? 'nothing'}: ${message}`, {
    cause: error,
  });
}

/**
 * Opens a pull request through Octokit against GITHUB_API_URL with the user's token. The
 * token lives only in this client, for this call; Octokit's own logging goes to pino with
 * request lines only (method, path, status), never headers.
 */
export async function openPullRequest(
  apiUrl: string,
  token: string,
  request: OpenPullRequest,
  logger: Logger,
): Promise<PullRequest> {
  const octokit = new Octokit({
    auth: token,
    baseUrl: apiUrl,
    userAgent: 'grove',
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => logger.warn({ github: message }),
      error: (message: string) => logger.warn({ github: message }),
    },
  });
  try {
    const { data } = await octokit.rest.pulls.create({
      owner: request.owner,
      repo: request.repo,
      head: request.head,
      base: request.base,
      title: request.title,
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.draft !== undefined ? { draft: request.draft } : {}),
    });
    return { number: data.number, url: data.html_url, state: 'open' };
  } catch (error) {
    throw describeGitHubError(error);
  }
}

import 'server-only';

import { AppError } from '@grove/contract';
import { z } from 'zod';

import { env } from '@/env';

import { githubApiGet } from './github-api';

/** GitHub pages /user/repos at most 100 at a time; a picker needs no more than a few pages. */
const PER_PAGE = 100;
const MAX_PAGES = 5;

const repoSchema = z.object({
  full_name: z.string(),
  default_branch: z.string(),
  private: z.boolean(),
});

export interface UserRepo {
  fullName: string;
  defaultBranch: string;
  private: boolean;
}

/** The repositories the token's user can reach, most recently updated first. */
export async function listUserRepos(token: string): Promise<UserRepo[]> {
  const repos: UserRepo[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const response = await githubApiGet(
      `/user/repos?per_page=${PER_PAGE}&page=${page}&sort=updated`,
      token,
    );
    if (response.status === 401) {
      throw env().mode === 'supabase'
        ? new AppError('github_reauth_required', 'GitHub refused the token: sign in again')
        : new AppError('github_auth_failed', 'GitHub refused the token');
    }
    if (!response.ok) throw new AppError('github_error', `GitHub answered ${response.status}`);
    const batch = z.array(repoSchema).parse(await response.json());
    repos.push(
      ...batch.map((r) => ({
        fullName: r.full_name,
        defaultBranch: r.default_branch,
        private: r.private,
      })),
    );
    if (batch.length < PER_PAGE) break;
  }
  return repos;
}

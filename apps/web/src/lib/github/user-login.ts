import 'server-only';

import { AppError } from '@grove/contract';
import { z } from 'zod';

import { githubApiGet } from './github-api';

const userSchema = z.object({ login: z.string().min(1) });

/**
 * The GitHub login a token belongs to, as GitHub says (`GET /user`). Unlike the login in a
 * Supabase session's `user_metadata`, which its user may rewrite, this is what the allow list
 * (GROVE_ALLOWED_USERS) is checked against.
 */
export async function githubLoginOf(token: string): Promise<string> {
  const response = await githubApiGet('/user', token);
  const parsed = userSchema.safeParse(await response.json().catch(() => undefined));
  if (!response.ok || !parsed.success)
    throw new AppError(
      'github_error',
      `GitHub did not say whose token this is (${response.status})`,
    );
  return parsed.data.login;
}

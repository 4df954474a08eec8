import { AppError } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { withUser } from '@/lib/api/with-user';
import { githubTokenFor } from '@/lib/auth/github-token';
import { listUserRepos } from '@/lib/github/user-repos';

export const dynamic = 'force-dynamic';

/** `{"repos":[{"fullName","defaultBranch","private"}]}` from GitHub, with the user's token. */
export const GET = withUser(async ({ user, requestId }) => {
  const token = await githubTokenFor(user);
  if (!token) throw new AppError('github_token_required', 'Connect GitHub in Settings first');
  const repos = await listUserRepos(token);
  return Response.json(
    { repos },
    { headers: { 'cache-control': 'no-store', 'x-request-id': requestId } },
  );
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);

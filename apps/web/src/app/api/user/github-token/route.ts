import { AppError, parseOrThrow } from '@grove/contract';
import { z } from 'zod';

import { env } from '@/env';
import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { githubConnection, removeGitHubToken, storeGitHubToken } from '@/lib/auth/github-token';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'cache-control': 'no-store' };

/** GitHub's token formats (classic, fine-grained, OAuth, app user), without whitespace. */
const pasteSchema = z.object({
  token: z
    .string()
    .trim()
    .min(20, 'That does not look like a GitHub token')
    .max(400)
    .regex(/^[A-Za-z0-9_]+$/, 'That does not look like a GitHub token'),
});

/** The GitHub connection as /settings shows it: never the token. */
export const GET = withUser(async ({ user }) =>
  Response.json({ github: await githubConnection(user) }, { headers: NO_STORE }),
);

/** Local mode: paste or replace the owner's GitHub token (stored encrypted). */
export const PUT = withUser(async ({ req, user }) => {
  if (env().mode !== 'local') {
    throw new AppError('forbidden', 'In Supabase mode the token comes from GitHub sign-in');
  }
  const { token } = parseOrThrow(pasteSchema, await readJson(req), 'GitHub token');
  await storeGitHubToken(user.id, { accessToken: token });
  return Response.json({ github: await githubConnection(user) }, { headers: NO_STORE });
});

/** Forgets the stored token (local mode falls back to GITHUB_TOKEN, if set). */
export const DELETE = withUser(async ({ user }) => {
  await removeGitHubToken(user.id);
  return new Response(null, { status: 204, headers: NO_STORE });
});

export const { POST, PATCH, OPTIONS } = otherMethods(['GET', 'PUT', 'DELETE']);

import { NextResponse, type NextRequest } from 'next/server';

import { env } from '@/env';
import { isAllowedLogin } from '@/lib/auth/current-user';
import { GITHUB_USER_TOKEN_LIFETIME_MS, storeGitHubToken } from '@/lib/auth/github-token';
import { NEXT_PATH_COOKIE, safeNextPath } from '@/lib/auth/next-path';
import { githubLoginOf } from '@/lib/github/user-login';
import { createClient } from '@/lib/supabase/server';

export const dynamic = 'force-dynamic';

function back(path: string): NextResponse {
  // Relative: the browser's host, not the server's idea of it (see /auth/local).
  const response = new NextResponse(null, { status: 303, headers: { location: path } });
  response.headers.set('cache-control', 'no-store');
  // The code was in the URL: keep it out of the next page's Referer.
  response.headers.set('referrer-policy', 'no-referrer');
  return response;
}

/**
 * The end of GitHub OAuth: exchange the PKCE code for a Supabase session (cookies), and take
 * the GitHub provider token — Supabase hands it over only here, once — into the vault,
 * encrypted, and out of the session cookies. Without a stored token the sign-in is refused
 * (and the session ended): Grove cannot work for a user whose GitHub token it does not hold.
 */
export async function GET(req: NextRequest): Promise<Response> {
  if (env().mode !== 'supabase') return back('/sign-in');
  const code = req.nextUrl.searchParams.get('code');
  if (!code) return back('/auth/login?error=oauth_failed');
  const supabase = await createClient();
  const { data, error } = await supabase.auth.exchangeCodeForSession(code);
  if (error || !data.session) return back('/auth/login?error=oauth_failed');
  const { session } = data;
  if (!session.provider_token) {
    await endSession(supabase);
    return back('/auth/login?error=no_provider_token');
  }
  // The login as GitHub says it, not as the session's user_metadata (which its user may
  // rewrite): it is checked against the list here and recorded with the token, and every
  // later request is judged by that record (current-user.ts).
  let login: string;
  try {
    login = await githubLoginOf(session.provider_token);
  } catch {
    await endSession(supabase);
    return back('/auth/login?error=oauth_failed');
  }
  if (!isAllowedLogin(login)) {
    // Not on GROVE_ALLOWED_USERS: no session, and the GitHub token is not kept.
    await endSession(supabase);
    return back('/auth/login?error=not_allowed');
  }
  try {
    await storeGitHubToken(session.user.id, {
      accessToken: session.provider_token,
      refreshToken: session.provider_refresh_token,
      expiresAt: session.provider_refresh_token
        ? new Date(Date.now() + GITHUB_USER_TOKEN_LIFETIME_MS)
        : null,
      login,
    });
  } catch (cause) {
    // eslint-disable-next-line no-console -- the cause belongs in the server log, not the page
    console.error(
      JSON.stringify({
        level: 'error',
        msg: 'storing the GitHub token failed',
        err: String(cause),
      }),
    );
    await endSession(supabase);
    return back('/auth/login?error=token_not_stored');
  }
  // The exchange saved the whole session into the sb-* cookies, GitHub's provider_token and
  // provider_refresh_token included; tokens never reach the browser, so now that the vault
  // holds them the session is saved again without them. setSession checks the access token
  // with Auth (GET /user) and stores Supabase's own tokens and the user only.
  const { error: resaveError } = await supabase.auth.setSession({
    access_token: session.access_token,
    refresh_token: session.refresh_token,
  });
  if (resaveError) {
    // Local scope drops the cookies before asking Auth, so they go even if Auth is unreachable.
    await supabase.auth.signOut({ scope: 'local' });
    return back('/auth/login?error=oauth_failed');
  }
  // The page the user asked for before signing in (set by /auth/github), checked again.
  const response = back(safeNextPath(req.cookies.get(NEXT_PATH_COOKIE)?.value));
  response.cookies.delete({ name: NEXT_PATH_COOKIE, path: '/auth/callback' });
  return response;
}

/**
 * Ends the session just made: at Auth (its refresh token revoked) and in the cookies. When Auth
 * cannot be reached auth-js keeps the session, cookies and provider token included; the local
 * sign-out then drops them anyway.
 */
async function endSession(supabase: Awaited<ReturnType<typeof createClient>>): Promise<void> {
  const { error } = await supabase.auth.signOut();
  if (error) await supabase.auth.signOut({ scope: 'local' });
}

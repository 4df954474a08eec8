import { AppError } from '@grove/contract';
import { NextResponse, type NextRequest } from 'next/server';

import { env } from '@/env';
import { handleApiError } from '@/lib/api/errors';
import { MAX_FORM_BYTES, readBody } from '@/lib/api/request-body';
import { assertSameOrigin } from '@/lib/api/with-user';
import { NEXT_PATH_COOKIE, safeNextPath } from '@/lib/auth/next-path';
import { isHttpsRequest } from '@/lib/auth/secure-cookie';
import { createClient } from '@/lib/supabase/server';

export const dynamic = 'force-dynamic';

/** What Grove asks GitHub for: private repositories (clone, push, PRs) and the profile. */
const GITHUB_SCOPES = 'repo read:user user:email';

/**
 * The origin the browser used (the server's own idea of its host name, localhost vs 127.0.0.1,
 * may differ, and the PKCE cookie belongs to the browser's). Supabase Auth checks it against
 * its redirect allow-list, so a forged Host header leads nowhere.
 */
function browserOrigin(req: NextRequest): string {
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host') ?? req.nextUrl.host;
  const proto = req.headers.get('x-forwarded-proto') ?? req.nextUrl.protocol.replace(/:$/, '');
  return `${proto}://${host}`;
}

/**
 * Starts GitHub OAuth through Supabase Auth (PKCE: the verifier goes into an HttpOnly cookie)
 * and sends the browser to GitHub. A POST from our own page only: no sign-in CSRF.
 */
export async function POST(req: NextRequest): Promise<Response> {
  try {
    if (env().mode !== 'supabase') throw new AppError('not_found', 'GitHub sign-in is off');
    assertSameOrigin(req);
    const supabase = await createClient();
    const { data, error } = await supabase.auth.signInWithOAuth({
      provider: 'github',
      options: {
        redirectTo: `${browserOrigin(req)}/auth/callback`,
        scopes: GITHUB_SCOPES,
        skipBrowserRedirect: true,
      },
    });
    if (error || !data.url) throw new AppError('github_error', 'GitHub sign-in could not start');
    const response = NextResponse.redirect(data.url, 303);
    // Where to land after GitHub: a cookie for the callback rather than a query on redirectTo,
    // which Supabase Auth matches against its allow-list.
    const form = new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
    const next = safeNextPath(form.get('next'));
    if (next !== '/')
      response.cookies.set(NEXT_PATH_COOKIE, next, {
        httpOnly: true,
        sameSite: 'lax',
        secure: isHttpsRequest(req.headers, req.nextUrl),
        path: '/auth/callback',
        maxAge: 600,
      });
    return response;
  } catch (error) {
    return handleApiError(error);
  }
}

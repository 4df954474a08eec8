import { AppError, isAppError } from '@grove/contract';
import { NextResponse, type NextRequest } from 'next/server';

import { env } from '@/env';
import { handleApiError } from '@/lib/api/errors';
import {
  accessTokenMatches,
  LOCAL_OWNER_ID,
  SESSION_COOKIE,
  sessionCookieOptions,
  signSessionCookie,
} from '@/lib/auth/local-session';

export const dynamic = 'force-dynamic';

/** Local mode sign-in: `GET /auth/local?token=<GROVE_ACCESS_TOKEN>` → cookie and redirect to `/`. */
export async function GET(req: NextRequest): Promise<Response> {
  try {
    const config = env();
    if (config.mode !== 'local') throw new AppError('not_found', 'Local sign-in is off');
    const token = req.nextUrl.searchParams.get('token') ?? '';
    if (!accessTokenMatches(token, config.accessToken))
      throw new AppError('unauthorized', 'Wrong access token');
    // Relative on purpose: the server's idea of its host name (localhost vs 127.0.0.1) may
    // differ from the browser's, and the cookie belongs to the host the browser used.
    const response = new NextResponse(null, { status: 303, headers: { location: '/' } });
    response.cookies.set(
      SESSION_COOKIE,
      await signSessionCookie(config.sessionSecret, LOCAL_OWNER_ID),
      sessionCookieOptions(req.nextUrl.protocol === 'https:'),
    );
    response.headers.set('cache-control', 'no-store');
    // The token was in the URL: keep it out of Referer headers of the next page.
    response.headers.set('referrer-policy', 'no-referrer');
    return response;
  } catch (error) {
    // A person at the sign-in form (or with a stale link) gets a page, not the JSON error.
    if (isAppError(error) && error.code === 'unauthorized' && wantsHtml(req))
      return new Response(WRONG_TOKEN_PAGE, {
        status: 401,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      });
    return handleApiError(error);
  }
}

function wantsHtml(req: NextRequest): boolean {
  return (req.headers.get('accept') ?? '').includes('text/html');
}

const WRONG_TOKEN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grove: wrong access token</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>Wrong access token</h1>
<p>That token does not sign in to this Grove. Use the sign-in link Grove printed when it started.</p>
<p><a href="/sign-in">Back to sign-in</a></p>
</body></html>
`;

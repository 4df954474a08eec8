import { AppError } from '@grove/contract';
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
    return handleApiError(error);
  }
}

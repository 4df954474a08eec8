import { AppError, isAppError, parseOrThrow } from '@grove/contract';
import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';

import { env } from '@/env';
import { handleApiError } from '@/lib/api/errors';
import { MAX_FORM_BYTES, readBody } from '@/lib/api/request-body';
import { assertSameOrigin } from '@/lib/api/with-user';
import {
  accessTokenMatches,
  LOCAL_OWNER_ID,
  SESSION_COOKIE,
  sessionCookieOptions,
  signSessionCookie,
} from '@/lib/auth/local-session';
import { safeNextPath, signInPath } from '@/lib/auth/next-path';
import { isHttpsRequest } from '@/lib/auth/secure-cookie';
import { SIGN_IN_ERRORS, type SignInErrorCode } from '@/lib/auth/sign-in-errors';
import { clientAddress, signInLimit } from '@/lib/auth/sign-in-limit';

export const dynamic = 'force-dynamic';

const signInFormSchema = z.object({
  token: z.string().max(MAX_FORM_BYTES),
  next: z.string().optional(),
});

/**
 * Local mode sign-in by link: `GET /auth/local?token=<GROVE_ACCESS_TOKEN>[&next=/path]`, the
 * link Grove prints at startup → cookie and a redirect to `next` (or `/`).
 */
export async function GET(req: NextRequest): Promise<Response> {
  const next = safeNextPath(req.nextUrl.searchParams.get('next'));
  try {
    refuseEmbedded(req);
    return await signIn(req, req.nextUrl.searchParams.get('token') ?? '', next);
  } catch (error) {
    return signInError(req, error, next);
  }
}

/**
 * The link is for opening, not for embedding: another site's image, script, frame or fetch of
 * it is refused before the token is looked at. Counted as wrong tokens, a page's hidden images
 * could use up the limit for everyone and keep the owner out for 15 minutes at a time. A link
 * followed from another site (a top-level navigation) is checked as usual.
 */
function refuseEmbedded(req: NextRequest): void {
  if (!fromAnotherSite(req)) return;
  const dest = req.headers.get('sec-fetch-dest');
  if (dest === 'document' || dest === null) return;
  throw new AppError('forbidden', 'Open the sign-in link itself; it cannot be embedded in a page');
}

/** A request another site's page made (fetch metadata; non-browser clients send none). */
function fromAnotherSite(req: NextRequest): boolean {
  const site = req.headers.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}

/**
 * The sign-in form: `POST /auth/local` with `token` and `next` form-encoded, so the token
 * stays out of the URL. Same-origin only: another site must not sign a browser in (login CSRF).
 */
export async function POST(req: NextRequest): Promise<Response> {
  let next = '/';
  try {
    if (env().mode !== 'local') throw new AppError('not_found', 'Local sign-in is off');
    assertSameOrigin(req);
    const type = req.headers.get('content-type') ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded'))
      throw new AppError('bad_request', 'Expected a form (application/x-www-form-urlencoded)');
    const body = await readBody(req, MAX_FORM_BYTES);
    const form = parseOrThrow(
      signInFormSchema,
      Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
      'sign-in form',
    );
    next = safeNextPath(form.next);
    return await signIn(req, form.token, next);
  } catch (error) {
    return signInError(req, error, next);
  }
}

/**
 * Checks the token (unless too many wrong ones came first: 429); on success the session cookie
 * and a 303 to `next` (already checked).
 */
async function signIn(req: NextRequest, token: string, next: string): Promise<Response> {
  const config = env();
  if (config.mode !== 'local') throw new AppError('not_found', 'Local sign-in is off');
  const client = clientAddress(req.headers);
  // A link another site's page opened (the form is same-origin only): its own limit.
  const counted = { crossSite: fromAnotherSite(req) };
  await signInLimit.check(client, counted);
  if (!accessTokenMatches(token, config.accessToken)) {
    await signInLimit.failed(client, counted);
    throw new AppError('unauthorized', 'Wrong access token');
  }
  // Relative on purpose: the server's idea of its host name (localhost vs 127.0.0.1) may
  // differ from the browser's, and the cookie belongs to the host the browser used.
  const response = new NextResponse(null, { status: 303, headers: { location: next } });
  response.cookies.set(
    SESSION_COOKIE,
    await signSessionCookie(config.sessionSecret, LOCAL_OWNER_ID),
    sessionCookieOptions(isHttpsRequest(req.headers, req.nextUrl)),
  );
  response.headers.set('cache-control', 'no-store');
  // The token may have been in the URL: keep it out of Referer headers of the next page.
  response.headers.set('referrer-policy', 'no-referrer');
  return response;
}

/**
 * A person gets a page, not the JSON error: the form's POST goes back to the sign-in page with
 * the reason (a 303, so a reload does not post again); a stale link gets a short page with the
 * status (401 for a wrong token, as the contract has it).
 */
function signInError(req: NextRequest, error: unknown, next: string): Response {
  const reason: SignInErrorCode | undefined = !isAppError(error)
    ? undefined
    : error.code === 'unauthorized'
      ? 'wrong_token'
      : error.code === 'rate_limited'
        ? 'rate_limited'
        : undefined;
  if (!reason || !wantsHtml(req)) return handleApiError(error);
  if (req.method === 'POST') {
    const query = new URLSearchParams({ error: reason });
    if (next !== '/') query.set('next', next);
    return new Response(null, {
      status: 303,
      headers: { location: `/sign-in?${query}`, 'cache-control': 'no-store' },
    });
  }
  const headers = new Headers({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  const retryAfter = isAppError(error) ? error.rateLimit?.retryAfter : undefined;
  if (retryAfter) headers.set('retry-after', String(retryAfter));
  return new Response(refusedPage(reason, signInPath(next)), {
    status: reason === 'wrong_token' ? 401 : 429,
    headers,
  });
}

function wantsHtml(req: NextRequest): boolean {
  return (req.headers.get('accept') ?? '').includes('text/html');
}

/** `back` is a sign-in path from signInPath: its query is URI-encoded, so nothing to escape. */
function refusedPage(reason: SignInErrorCode, back: string): string {
  const { title, text } = SIGN_IN_ERRORS[reason];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light"><title>Grove: ${title.toLowerCase()}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>${title}</h1>
<p>${text}${reason === 'wrong_token' ? ' Sign in with the link Grove printed when it started.' : ''}</p>
<p><a href="${back}">Back to sign-in</a></p>
</body></html>
`;
}

import { createServerClient } from '@supabase/ssr';
import { NextResponse, type NextRequest } from 'next/server';

import { withNextPath } from '@/lib/auth/next-path';
import { isHttpsRequest } from '@/lib/auth/secure-cookie';

import { supabaseCookieOptions } from './cookie-options';

/** Pages anyone may open; the rest send a signed-out browser to /auth/login. */
const PUBLIC_PREFIXES = ['/auth', '/sign-in', '/api'];

/**
 * Refreshes the Supabase session on every request (Supabase's Next.js example, near verbatim).
 * API routes are not redirected: they answer 401 JSON themselves.
 */
export async function updateSession(
  request: NextRequest,
  supabase: { url: string; anonKey: string },
) {
  let supabaseResponse = NextResponse.next({
    request,
  });

  const client = createServerClient(supabase.url, supabase.anonKey, {
    cookieOptions: supabaseCookieOptions(isHttpsRequest(request.headers, request.nextUrl)),
    cookies: {
      getAll() {
        return request.cookies.getAll();
      },
      setAll(cookiesToSet) {
        cookiesToSet.forEach(({ name, value }) => request.cookies.set(name, value));
        supabaseResponse = NextResponse.next({
          request,
        });
        cookiesToSet.forEach(({ name, value, options }) =>
          supabaseResponse.cookies.set(name, value, options),
        );
      },
    },
  });

  // Do not run code between createServerClient and supabase.auth.getClaims(). A simple
  // mistake could make it very hard to debug issues with users being randomly logged out.

  // IMPORTANT: If you remove getClaims() and you use server-side rendering with the Supabase
  // client, your users may be randomly logged out.
  const { data } = await client.auth.getClaims();
  const user = data?.claims;

  if (!user && !PUBLIC_PREFIXES.some((prefix) => request.nextUrl.pathname.startsWith(prefix))) {
    // no user, potentially respond by redirecting the user to the login page
    // The page asked for, to come back to after GitHub (see /auth/github).
    const { pathname, search } = request.nextUrl;
    return NextResponse.redirect(
      new URL(withNextPath('/auth/login', `${pathname}${search}`), request.nextUrl),
    );
  }

  // IMPORTANT: You *must* return the supabaseResponse object as it is. It carries the
  // refreshed session cookies; a new response without them would sign the user out.
  return supabaseResponse;
}

/**
 * Grove signs in on the server only (route handlers), so the Supabase session cookies can be
 * HttpOnly: no script in the page can read the tokens. SameSite=Lax keeps them off cross-site
 * subrequests while the OAuth redirect back still carries the PKCE verifier. Secure when the
 * browser came over https (`isHttpsRequest`, as for local mode's cookie); not over plain http,
 * where a browser would drop a Secure cookie set by a host other than localhost.
 */
export function supabaseCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    path: '/',
  };
}

/**
 * Grove signs in on the server only (route handlers), so the Supabase session cookies can be
 * HttpOnly: no script in the page can read the tokens. SameSite=Lax keeps them off cross-site
 * subrequests while the OAuth redirect back still carries the PKCE verifier.
 */
export const SUPABASE_COOKIE_OPTIONS = {
  httpOnly: true,
  sameSite: 'lax' as const,
  path: '/',
};

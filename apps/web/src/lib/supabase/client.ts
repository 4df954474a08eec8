import { createBrowserClient } from '@supabase/ssr';

/**
 * The browser-side Supabase client of Supabase's Next.js example. Grove's session cookies are
 * HttpOnly, so in the browser this client is anonymous: sign-in, tokens and user data all go
 * through the server. Kept for public, non-user reads only.
 */
export function createClient(url: string, anonKey: string) {
  return createBrowserClient(url, anonKey);
}

import 'server-only';

import { createServerClient } from '@supabase/ssr';
import { cookies, headers } from 'next/headers';

import { env } from '@/env';
import { isHttpsRequest } from '@/lib/auth/secure-cookie';

import { supabaseCookieOptions } from './cookie-options';

/**
 * A Supabase client for one server request, acting as the signed-in user (their session in
 * cookies). Create a new one per request; never share it. (Supabase's Next.js example.)
 */
export async function createClient() {
  const cookieStore = await cookies();
  const supabase = env().supabase!;

  return createServerClient(supabase.url, supabase.anonKey, {
    cookieOptions: supabaseCookieOptions(isHttpsRequest(await headers())),
    cookies: {
      getAll() {
        return cookieStore.getAll();
      },
      setAll(cookiesToSet) {
        try {
          cookiesToSet.forEach(({ name, value, options }) => cookieStore.set(name, value, options));
        } catch {
          // The `setAll` method was called from a Server Component. This can be ignored:
          // the proxy refreshes user sessions.
        }
      },
    },
  });
}

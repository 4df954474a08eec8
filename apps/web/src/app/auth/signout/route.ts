import { NextResponse, type NextRequest } from 'next/server';

import { env } from '@/env';
import { handleApiError } from '@/lib/api/errors';
import { assertSameOrigin } from '@/lib/api/with-user';
import { readSessionCookie, SESSION_COOKIE } from '@/lib/auth/local-session';
import { revokedSessions } from '@/lib/auth/revoked-sessions';
import { createClient } from '@/lib/supabase/server';

export const dynamic = 'force-dynamic';

/** Ends the session in both modes: Supabase's (server-side sign-out, cookies cleared) or ours. */
export async function POST(req: NextRequest): Promise<Response> {
  try {
    assertSameOrigin(req);
    const config = env();
    const supabaseMode = config.mode === 'supabase';
    if (supabaseMode) {
      const supabase = await createClient();
      // Revokes the refresh token on the Auth server and clears the sb-* cookies.
      await supabase.auth.signOut();
    } else {
      // The cookie is ended on the server too: a copy of it no longer signs anyone in.
      const claims = await readSessionCookie(
        config.sessionSecret,
        req.cookies.get(SESSION_COOKIE)?.value,
      );
      if (claims) revokedSessions(config.dataDir).add(claims.jti, claims.exp);
    }
    const response = new NextResponse(null, {
      status: 303,
      headers: { location: supabaseMode ? '/auth/login' : '/sign-in' },
    });
    response.cookies.set(SESSION_COOKIE, '', {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: 0,
    });
    return response;
  } catch (error) {
    return handleApiError(error);
  }
}

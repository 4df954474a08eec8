import { NextResponse, type NextRequest } from 'next/server';

import { handleApiError } from '@/lib/api/errors';
import { assertSameOrigin } from '@/lib/api/with-user';
import { SESSION_COOKIE } from '@/lib/auth/local-session';

export const dynamic = 'force-dynamic';

export function POST(req: NextRequest): Response {
  try {
    assertSameOrigin(req);
    const response = new NextResponse(null, { status: 303, headers: { location: '/sign-in' } });
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

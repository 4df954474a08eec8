import { NextResponse, type NextRequest } from 'next/server';

import { updateSession } from '@/lib/supabase/proxy';

/**
 * Next 16's proxy (formerly middleware). Only Supabase mode has a session to refresh; local
 * mode passes every request through untouched. The proxy is bundled apart from the server, so it
 * reads the two public variables itself (env.ts validates them at server start).
 */
export async function proxy(request: NextRequest) {
  const url = runtimeEnv('NEXT_PUBLIC_SUPABASE_URL');
  const anonKey = runtimeEnv('NEXT_PUBLIC_SUPABASE_ANON_KEY');
  const response =
    url && anonKey ? await updateSession(request, { url, anonKey }) : NextResponse.next();
  return withPageSecurityHeaders(response);
}

/**
 * No page may be framed by another (clickjacking: a hidden IDE with a live terminal), nor its
 * answers sniffed as another type. Set here rather than in next.config's `headers()`: any
 * custom header rule costs every request, the chat's event streams included, about 0.4 ms of
 * first-event latency (measured, bench/chat-stream.bench.ts); the proxy skips those.
 */
function withPageSecurityHeaders(response: NextResponse): NextResponse {
  response.headers.set('x-frame-options', 'DENY');
  response.headers.set('content-security-policy', "frame-ancestors 'none'");
  response.headers.set('x-content-type-options', 'nosniff');
  return response;
}

/** Read at run time: a literal `process.env.NEXT_PUBLIC_…` would be frozen in at build time. */
function runtimeEnv(name: string): string | undefined {
  return process.env[name];
}

export const config = {
  matcher: [
    /*
     * Match all request paths except for the ones starting with:
     * - _next/static (static files)
     * - _next/image (image optimization files)
     * - favicon.ico (favicon file)
     * - api/workspace/chat (the SSE chat routes): running the proxy costs every request ~2 ms
     *   before the handler starts (measured, bench/chat-stream.bench.ts), a third of the
     *   web's added first-event latency. These handlers need nothing from it: withUser
     *   verifies the user itself (getClaims(), which also refreshes an expired session and
     *   sets the cookies on the handler's own response).
     * Feel free to modify this pattern to include more paths.
     */
    '/((?!api/workspace/chat|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|jpg|jpeg|gif|webp)$).*)',
  ],
};

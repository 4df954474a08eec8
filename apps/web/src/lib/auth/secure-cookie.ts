/**
 * Whether the browser reached Grove over https, so its cookies get `Secure`. Decided as Next.js
 * decides the request URL's scheme: X-Forwarded-Proto when there is one (a TLS-terminating
 * proxy's; Next itself fills it in from the socket for a request that came without it), else
 * the URL's own. The first entry counts: a proxy chain appends, and the first is the browser's.
 * Shared by the local session cookie and Supabase's, which sees only the headers.
 */
export function isHttpsRequest(headers: Headers, url?: URL): boolean {
  const forwarded = headers.get('x-forwarded-proto');
  if (forwarded) return forwarded.split(',')[0]!.trim().toLowerCase() === 'https';
  return url?.protocol === 'https:';
}

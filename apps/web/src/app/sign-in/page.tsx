import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { env } from '@/env';
import { safeNextPath, withNextPath } from '@/lib/auth/next-path';
import { isSignInErrorCode, SIGN_IN_ERRORS } from '@/lib/auth/sign-in-errors';

export const metadata: Metadata = { title: 'Sign in' };

export const dynamic = 'force-dynamic';

/**
 * Local mode's sign-in. The form POSTs, so the token stays out of the URL and the history;
 * `next` (the page that sent the browser here) rides along, checked again by /auth/local.
 */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; error?: string | string[] }>;
}) {
  const local = env().mode === 'local';
  const query = await searchParams;
  const next = safeNextPath(query.next);
  const refused = isSignInErrorCode(query.error) ? SIGN_IN_ERRORS[query.error] : undefined;
  if (!local) redirect(withNextPath('/auth/login', next));
  return (
    <main>
      <header className="top">
        <h1>Sign in to Grove</h1>
      </header>
      <div className="panel">
        {local ? (
          <form action="/auth/local" method="post">
            <input type="hidden" name="next" value={next} />
            {refused && (
              <p className="error" role="alert">
                <strong>{refused.title}.</strong> {refused.text}
              </p>
            )}
            <p className="muted">
              This Grove runs in local mode. Use the sign-in link printed when it started, or paste
              the access token (<code>GROVE_ACCESS_TOKEN</code>, or <code>accessToken</code> in{' '}
              <code>secrets.json</code> in Grove&apos;s data directory: <code>GROVE_DATA_DIR</code>,
              by default <code>.grove/</code>).
            </p>
            <div className="row">
              <div className="grow">
                <label htmlFor="token">Access token</label>
                <input
                  id="token"
                  name="token"
                  type="password"
                  autoComplete="current-password"
                  required
                  autoFocus={refused !== undefined}
                />
              </div>
              <button type="submit">Sign in</button>
            </div>
          </form>
        ) : (
          <p className="muted">GitHub sign-in is configured through Supabase.</p>
        )}
      </div>
    </main>
  );
}

import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { env } from '@/env';
import { safeNextPath } from '@/lib/auth/next-path';

export const metadata: Metadata = { title: 'Sign in' };

export const dynamic = 'force-dynamic';

const MESSAGES: Record<string, string> = {
  oauth_failed: 'GitHub sign-in did not complete. Try again.',
  token_not_stored: 'Signed in, but your GitHub token could not be stored. Try again.',
  no_provider_token: 'GitHub did not hand over a token. Try again.',
  not_allowed:
    'This Grove is not open to your GitHub account. Ask its owner to add your login to GROVE_ALLOWED_USERS.',
};

/** Supabase mode's sign-in page; local mode signs in with its access token at /sign-in. */
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; next?: string | string[] }>;
}) {
  if (env().mode !== 'supabase') redirect('/sign-in');
  const { error, next } = await searchParams;
  return (
    <main>
      <header className="top">
        <h1>Sign in to Grove</h1>
      </header>
      <div className="panel">
        {error ? (
          <p role="alert" className="error">
            {MESSAGES[error] ?? 'Sign-in failed. Try again.'}
          </p>
        ) : null}
        <form action="/auth/github" method="post">
          {/* The page to come back to after GitHub, checked again by /auth/github. */}
          <input type="hidden" name="next" value={safeNextPath(next)} />
          <p className="muted">
            Grove uses your GitHub account to list your repositories, push branches and open pull
            requests. Your GitHub token is stored encrypted and never sent to this browser.
          </p>
          <button type="submit">Sign in with GitHub</button>
        </form>
      </div>
    </main>
  );
}

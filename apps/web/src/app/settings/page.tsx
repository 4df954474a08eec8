import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { GitHubTokenForm } from '@/components/github-token-form';
import { SiteHeader } from '@/components/site-header';
import { PreferencesForm } from '@/components/preferences-form';
import { env } from '@/env';
import { getCurrentUser } from '@/lib/auth/current-user';
import { describeActivity, recentActivity } from '@/lib/activity/recent-activity';
import { githubConnection } from '@/lib/auth/github-token';
import { signInPath } from '@/lib/auth/next-path';
import { getPreferences } from '@/lib/preferences/preferences';

export const metadata: Metadata = { title: 'Settings' };

export const dynamic = 'force-dynamic';

/** GitHub connection, tokens, preferences and the chat budget. No token is ever rendered. */
export default async function SettingsPage() {
  const user = await getCurrentUser();
  const config = env();
  // Supabase mode's /sign-in passes `next` on to /auth/login.
  if (!user) redirect(signInPath('/settings'));
  let github: Awaited<ReturnType<typeof githubConnection>> | undefined;
  let githubError: string | undefined;
  try {
    github = await githubConnection(user);
  } catch {
    githubError = 'The GitHub connection could not be read right now.';
  }
  // Preferences come from Supabase in Supabase mode: when it does not answer, say so and
  // leave the rest of the page working.
  const preferences = await getPreferences(user).catch(() => undefined);
  const budget = config.chatDailyBudgetUsd;
  const activity = await recentActivity();
  return (
    <main>
      <SiteHeader user={user.login ?? user.name ?? user.email ?? 'signed in'} current="settings" />
      <section className="panel" aria-labelledby="github">
        <h2 id="github">GitHub</h2>
        {githubError ? <p className="error">{githubError}</p> : null}
        {github ? (
          <p data-testid="github-status">
            {github.connected
              ? `Connected${github.login ? ` as ${github.login}` : ''} (${
                  github.source === 'env' ? 'GITHUB_TOKEN' : 'stored encrypted'
                })`
              : 'Not connected'}
            {github.expiresAt
              ? ` · expires ${new Date(github.expiresAt).toUTCString()}${
                  github.refreshable ? ', renewed automatically' : ''
                }`
              : ''}
          </p>
        ) : null}
        {config.mode === 'local' ? (
          <GitHubTokenForm
            connected={github?.connected ?? false}
            stored={github?.source === 'vault'}
          />
        ) : (
          <form action="/auth/signout" method="post">
            <p className="muted">
              Your token comes from signing in with GitHub. To renew it, sign out and sign in again.
            </p>
            <button type="submit" className="secondary">
              Sign out
            </button>
          </form>
        )}
      </section>
      <section className="panel" aria-labelledby="preferences">
        <h2 id="preferences">Preferences</h2>
        {preferences ? (
          <PreferencesForm initial={preferences} />
        ) : (
          <p className="error">Preferences cannot be read right now; try again shortly.</p>
        )}
      </section>
      <section className="panel" aria-labelledby="budget">
        <h2 id="budget">Agent budget</h2>
        <p data-testid="budget">
          {budget !== undefined
            ? `Daily chat budget: $${budget.toFixed(2)} per user (UTC day).`
            : 'Daily chat budget: set on the worker (GROVE_CHAT_DAILY_BUDGET_USD, default $25).'}{' '}
          A run over budget stops with “budget exceeded”; the message says when it resets.
        </p>
      </section>
      {config.mode === 'supabase' ? (
        <section className="panel" aria-labelledby="activity">
          <h2 id="activity">Recent activity</h2>
          {activity === undefined ? (
            <p className="error">Activity cannot be read right now; try again shortly.</p>
          ) : activity.length === 0 ? (
            <p className="muted">
              Nothing yet: sessions, commits, pushes and pull requests show here.
            </p>
          ) : (
            <ul className="activity" data-testid="activity">
              {activity.map((entry, index) => (
                <li key={`${entry.created_at}-${index}`}>
                  <time dateTime={entry.created_at}>
                    {new Date(entry.created_at).toUTCString()}
                  </time>{' '}
                  <strong>{entry.kind}</strong>{' '}
                  <span className="muted">{describeActivity(entry.detail)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </main>
  );
}

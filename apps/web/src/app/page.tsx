import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { SessionsPanel } from '@/components/sessions-panel';
import { SiteHeader } from '@/components/site-header';
import { env } from '@/env';
import { getCurrentUser } from '@/lib/auth/current-user';
import { githubConnection } from '@/lib/auth/github-token';
import { getPreferences } from '@/lib/preferences/preferences';

// The layout's title template applies to nested pages only.
export const metadata: Metadata = { title: { absolute: 'Sessions · Grove' } };

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  // Preferences only pre-fill a field, and whether GitHub is connected only spares the picker a
  // request bound to fail: when Supabase does not answer, the page works without either.
  const [preferences, github] = await Promise.all([
    getPreferences(user).catch(() => undefined),
    githubConnection(user).catch(() => undefined),
  ]);
  return (
    <main>
      <SiteHeader user={user.login ?? user.name ?? user.email ?? 'signed in'} current="sessions" />
      <SessionsPanel
        localMode={env().mode === 'local'}
        defaultBaseBranch={preferences?.defaultBaseBranch}
        githubConnected={github?.connected}
      />
    </main>
  );
}

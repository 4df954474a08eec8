import { redirect } from 'next/navigation';

import { SessionsPanel } from '@/components/sessions-panel';
import { SiteHeader } from '@/components/site-header';
import { env } from '@/env';
import { getCurrentUser } from '@/lib/auth/current-user';
import { getPreferences } from '@/lib/preferences/preferences';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  // Preferences only pre-fill a field: when Supabase does not answer, the page works without.
  const preferences = await getPreferences(user).catch(() => undefined);
  return (
    <main>
      <SiteHeader user={user.login ?? user.name ?? user.email ?? 'signed in'} current="sessions" />
      <SessionsPanel
        localMode={env().mode === 'local'}
        defaultBaseBranch={preferences?.defaultBaseBranch}
      />
    </main>
  );
}

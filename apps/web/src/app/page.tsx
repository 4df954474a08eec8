import { redirect } from 'next/navigation';

import { SessionsPanel } from '@/components/sessions-panel';
import { env } from '@/env';
import { getCurrentUser } from '@/lib/auth/current-user';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  return (
    <main>
      <header className="top">
        <h1>Grove</h1>
        <form action="/auth/signout" method="post">
          <span className="muted">{user.name ?? user.login}</span>{' '}
          <button type="submit" className="secondary">
            Sign out
          </button>
        </form>
      </header>
      <SessionsPanel localMode={env().mode === 'local'} />
    </main>
  );
}

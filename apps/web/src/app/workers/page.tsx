import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { SiteHeader } from '@/components/site-header';
import { WorkersTable } from '@/components/workers-table';
import { getCurrentUser } from '@/lib/auth/current-user';
import { signInPath } from '@/lib/auth/next-path';

export const metadata: Metadata = { title: 'Workers' };

export const dynamic = 'force-dynamic';

export default async function WorkersPage() {
  const user = await getCurrentUser();
  if (!user) redirect(signInPath('/workers'));
  return (
    <main>
      <SiteHeader user={user.login ?? user.name ?? user.email ?? 'signed in'} current="workers" />
      <WorkersTable />
    </main>
  );
}

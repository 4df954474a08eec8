import { sessionIdSchema } from '@grove/contract';
import { notFound, redirect } from 'next/navigation';

import { IdeShell } from '@/components/ide/ide-shell';
import { getCurrentUser } from '@/lib/auth/current-user';
import { getPreferences } from '@/lib/preferences/preferences';

export const dynamic = 'force-dynamic';

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  const { id } = await params;
  if (!sessionIdSchema.safeParse(id).success) notFound();
  // The terminal's font size is a preference; without Supabase answering, the default.
  const preferences = await getPreferences(user).catch(() => undefined);
  return <IdeShell sessionId={id} terminalFontSize={preferences?.terminalFontSize} />;
}

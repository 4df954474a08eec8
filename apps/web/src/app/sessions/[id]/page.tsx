import { randomUUID } from 'node:crypto';

import { sessionIdSchema } from '@grove/contract';
import { notFound, redirect } from 'next/navigation';

import { IdeShell } from '@/components/ide/ide-shell';
import { getCurrentUser, type CurrentUser } from '@/lib/auth/current-user';
import { getPreferences } from '@/lib/preferences/preferences';
import { requestWorker } from '@/lib/worker/worker-client';

export const dynamic = 'force-dynamic';

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  const { id } = await params;
  if (!sessionIdSchema.safeParse(id).success) notFound();
  // The terminal's font size is a preference; without Supabase answering, the default.
  const [exists, preferences] = await Promise.all([
    sessionExists(user, id),
    getPreferences(user).catch(() => undefined),
  ]);
  if (!exists) notFound();
  return <IdeShell sessionId={id} terminalFontSize={preferences?.terminalFontSize} />;
}

/**
 * A session that is not the user's (or gone) is a 404 page, like its API. Anything else (the
 * worker not answering, say) renders the IDE, which shows the error and retries.
 */
async function sessionExists(user: CurrentUser, id: string): Promise<boolean> {
  try {
    const answer = await requestWorker({
      user,
      method: 'GET',
      path: `/sessions/${id}`,
      requestId: randomUUID(),
    });
    await answer.body.dump();
    return answer.statusCode !== 404;
  } catch {
    return true;
  }
}

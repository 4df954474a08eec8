import { randomUUID } from 'node:crypto';

import { type Session, sessionIdSchema, sessionResponseSchema } from '@grove/contract';
import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';

import { IdeShell } from '@/components/ide/ide-shell';
import { getCurrentUser, type CurrentUser } from '@/lib/auth/current-user';
import { signInPath } from '@/lib/auth/next-path';
import { getPreferences } from '@/lib/preferences/preferences';
import { requestWorker } from '@/lib/worker/worker-client';

export const dynamic = 'force-dynamic';

/** The tab names the session as its header does (its name, else its repository). */
export async function generateMetadata({
  params,
}: {
  params: Promise<{ id: string }>;
}): Promise<Metadata> {
  const user = await getCurrentUser();
  const { id } = await params;
  if (!user || !sessionIdSchema.safeParse(id).success) return { title: 'Session' };
  const session = await loadSession(user, id);
  return { title: session ? (session.name ?? session.repo) : 'Session' };
}

export default async function SessionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ file?: string | string[] }>;
}) {
  const user = await getCurrentUser();
  const { id } = await params;
  // The open file (the IDE reads it from the address; the worker checks the path).
  const { file } = await searchParams;
  const initialPath = typeof file === 'string' && file.length > 0 ? file : undefined;
  const here = `/sessions/${encodeURIComponent(id)}`;
  // Back here after signing in (signInPath drops anything that is not a path on this site).
  if (!user)
    redirect(signInPath(initialPath ? `${here}?file=${encodeURIComponent(initialPath)}` : here));
  if (!sessionIdSchema.safeParse(id).success) notFound();
  // The terminal's font size is a preference; without Supabase answering, the default.
  const [session, preferences] = await Promise.all([
    loadSession(user, id),
    getPreferences(user).catch(() => undefined),
  ]);
  if (session === null) notFound();
  return (
    <IdeShell
      key={id}
      sessionId={id}
      initialSession={session}
      terminalFontSize={preferences?.terminalFontSize}
    />
  );
}

/**
 * The session, for the first render (the IDE then needs no second fetch), or null when it is
 * not the user's (or gone): a 404 page, like its API. Anything else (the worker not answering,
 * say) is undefined: the IDE renders, reads it itself and keeps trying until it answers.
 */
// cache: the page and its metadata ask the worker once per request.
const loadSession = cache(async function loadSession(
  user: CurrentUser,
  id: string,
): Promise<Session | null | undefined> {
  try {
    const answer = await requestWorker({
      user,
      method: 'GET',
      path: `/sessions/${id}`,
      requestId: randomUUID(),
    });
    if (answer.statusCode === 404) {
      await answer.body.dump();
      return null;
    }
    if (answer.statusCode !== 200) {
      await answer.body.dump();
      return undefined;
    }
    const parsed = sessionResponseSchema.safeParse(await answer.body.json());
    return parsed.success ? parsed.data.session : undefined;
  } catch {
    return undefined;
  }
});

import type { Session } from '@grove/contract';

export type SessionsSource = 'supabase' | 'worker' | 'supabase+worker';

/**
 * Supabase's copy, overlaid with what the worker says when it answers: the worker is the
 * source of truth and always includes what the user just created (Supabase may lag by the
 * sync delay), and a session the worker no longer lists was deleted there. Supabase alone
 * when the worker cannot answer.
 */
export function mergeSessions(
  fromSupabase: Session[] | undefined,
  fromWorker: Session[] | undefined,
): { sessions: Session[]; source: SessionsSource } | undefined {
  if (fromWorker === undefined) {
    return fromSupabase === undefined ? undefined : { sessions: fromSupabase, source: 'supabase' };
  }
  if (fromSupabase === undefined) return { sessions: fromWorker, source: 'worker' };
  const synced = new Map(fromSupabase.map((session) => [session.id, session]));
  const sessions = fromWorker.map((session) => {
    const copy = synced.get(session.id);
    // Equal timestamps: the same write; otherwise the newer one (the worker's, normally).
    return copy && Date.parse(copy.updatedAt) > Date.parse(session.updatedAt) ? copy : session;
  });
  return { sessions, source: 'supabase+worker' };
}

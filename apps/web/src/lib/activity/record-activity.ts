import 'server-only';

import { after } from 'next/server';

import { env } from '@/env';
import type { CurrentUser } from '@/lib/auth/current-user';
import { createClient } from '@/lib/supabase/server';

/** What the web records about a user's actions (the `activity` table's `kind`). */
export type ActivityKind =
  'session.created' | 'session.deleted' | 'git.commit' | 'git.push' | 'git.pr';

/** An activity insert slower than this is given up (and logged): it is only a record. */
const ACTIVITY_TIMEOUT_MS = 3_000;

/**
 * Records one user action in Supabase's `activity` table, as the signed-in user (RLS), after
 * the response went out: best effort — Supabase being slow or down never fails or delays the
 * user's request; a lost entry is logged. Local mode records nothing (no Supabase).
 */
export async function recordActivity(
  user: CurrentUser,
  kind: ActivityKind,
  detail: Record<string, unknown>,
): Promise<void> {
  if (env().mode !== 'supabase') return;
  // The client is made now, while the request's cookies are at hand.
  const supabase = await createClient();
  after(async () => {
    try {
      const { error } = await supabase
        .from('activity')
        .insert({ user_id: user.id, kind, detail })
        .abortSignal(AbortSignal.timeout(ACTIVITY_TIMEOUT_MS));
      if (error) logLost(kind, error.message);
    } catch (error) {
      logLost(kind, error instanceof Error ? error.message : String(error));
    }
  });
}

/** Records when the worker's answer was a success; reads the body from a clone. */
export async function recordActivityOnSuccess(
  user: CurrentUser,
  kind: ActivityKind,
  response: Response,
  detail: (body: unknown) => Record<string, unknown>,
): Promise<void> {
  if (!response.ok || env().mode !== 'supabase') return;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  await recordActivity(user, kind, detail(body));
}

function logLost(kind: string, err: string): void {
  // eslint-disable-next-line no-console -- the server log is where a lost record belongs
  console.warn(JSON.stringify({ level: 'warn', msg: 'activity not recorded', kind, err }));
}

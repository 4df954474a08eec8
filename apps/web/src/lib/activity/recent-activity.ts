import 'server-only';

import { z } from 'zod';

import { env } from '@/env';
import { createClient } from '@/lib/supabase/server';

/** How many entries /settings shows, newest first. */
export const RECENT_ACTIVITY_LIMIT = 20;
const ACTIVITY_TIMEOUT_MS = 3_000;

const activityRowSchema = z.object({
  kind: z.string(),
  detail: z.record(z.string(), z.unknown()).catch({}),
  created_at: z.string(),
});
export type ActivityEntry = z.infer<typeof activityRowSchema>;

/**
 * The user's latest recorded actions (Supabase's `activity`, read as the user: row level
 * security shows only their own). `undefined` in local mode, which records none, and when
 * Supabase does not answer — the page says so rather than failing.
 */
export async function recentActivity(): Promise<ActivityEntry[] | undefined> {
  if (env().mode !== 'supabase') return undefined;
  try {
    const supabase = await createClient();
    const { data, error } = await supabase
      .from('activity')
      .select('kind, detail, created_at')
      .order('created_at', { ascending: false })
      .limit(RECENT_ACTIVITY_LIMIT)
      .abortSignal(AbortSignal.timeout(ACTIVITY_TIMEOUT_MS));
    if (error) return undefined;
    return z.array(activityRowSchema).parse(data);
  } catch {
    return undefined;
  }
}

/** One line for an entry's detail: the repository, session, branch, commit or pull request. */
export function describeActivity(detail: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return [
    text(detail.repo),
    text(detail.sessionId),
    text(detail.branch),
    text(detail.sha)?.slice(0, 12),
    typeof detail.number === 'number' ? `#${detail.number}` : undefined,
    text(detail.url),
  ]
    .filter((part) => part !== undefined)
    .join(' · ');
}

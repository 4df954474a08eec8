import 'server-only';

import { sessionSchema, type Session } from '@grove/contract';
import { z } from 'zod';

import { createClient } from '@/lib/supabase/server';

/** A Supabase read slower than this is not waited for: the worker's answer is used. */
const SUPABASE_READ_TIMEOUT_MS = 2_000;

/**
 * The user's live sessions as synced to Supabase (row level security: their own rows only),
 * or undefined when Supabase does not answer in time.
 */
export async function readSessionsFromSupabase(): Promise<Session[] | undefined> {
  try {
    const supabase = await createClient();
    const { data, error } = await supabase
      .from('workspace_sessions')
      .select('data')
      .is('deleted_at', null)
      .order('created_at', { ascending: false })
      .abortSignal(AbortSignal.timeout(SUPABASE_READ_TIMEOUT_MS));
    if (error) return undefined;
    return z
      .array(z.object({ data: sessionSchema }))
      .parse(data)
      .map((row) => row.data);
  } catch {
    return undefined;
  }
}

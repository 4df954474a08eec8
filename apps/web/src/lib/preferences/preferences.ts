import 'server-only';

import {
  AppError,
  userPreferencesSchema,
  type UserPreferences,
  type UserPreferencesPatch,
} from '@grove/contract';

import { cache } from 'react';

import { env } from '@/env';
import type { CurrentUser } from '@/lib/auth/current-user';
import { createClient } from '@/lib/supabase/server';

import { readLocalPreferences, writeLocalPreferences } from './local-preferences';

/** Preferences live in Supabase only (the web writes them; no worker, no SQLite copy). */
const SUPABASE_TIMEOUT_MS = 3_000;

/**
 * The user's preferences, defaults filled in. Supabase mode: `public.user_preferences` as the
 * signed-in user (row level security). Local mode: a file under GROVE_DATA_DIR. Memoized per
 * server render, so the root layout's theme and the page read it once.
 */
export const getPreferences = cache(readPreferences);

async function readPreferences(user: CurrentUser): Promise<UserPreferences> {
  const config = env();
  if (config.mode !== 'supabase') return readLocalPreferences(config.dataDir, user.id);
  const supabase = await createClient();
  const { data, error } = await supabase
    .from('user_preferences')
    .select('prefs')
    .eq('user_id', user.id)
    .abortSignal(AbortSignal.timeout(SUPABASE_TIMEOUT_MS))
    .maybeSingle<{ prefs: unknown }>();
  if (error) throw new AppError('supabase_unavailable', 'Preferences cannot be read right now');
  const parsed = userPreferencesSchema.safeParse(data?.prefs ?? {});
  return parsed.success ? parsed.data : userPreferencesSchema.parse({});
}

/** Applies a validated patch over the stored preferences and returns the result. */
export async function updatePreferences(
  user: CurrentUser,
  patch: UserPreferencesPatch,
): Promise<UserPreferences> {
  const config = env();
  const next = userPreferencesSchema.parse({ ...(await getPreferences(user)), ...patch });
  if (config.mode !== 'supabase') {
    writeLocalPreferences(config.dataDir, user.id, next);
    return next;
  }
  const supabase = await createClient();
  const { error } = await supabase
    .from('user_preferences')
    .upsert({ user_id: user.id, prefs: next, updated_at: new Date().toISOString() })
    .abortSignal(AbortSignal.timeout(SUPABASE_TIMEOUT_MS));
  if (error) throw new AppError('supabase_unavailable', 'Preferences cannot be saved right now');
  return next;
}

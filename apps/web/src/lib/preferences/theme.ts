import 'server-only';

import type { UserPreferences } from '@grove/contract';

import { getCurrentUser } from '@/lib/auth/current-user';

import { getPreferences } from './preferences';

/**
 * The signed-in user's theme for the root layout's `<html data-theme>`: `system` when nobody is
 * signed in or the preferences cannot be read (a page never fails over its colours).
 */
export async function currentTheme(): Promise<UserPreferences['theme']> {
  const user = await getCurrentUser();
  if (!user) return 'system';
  const preferences = await getPreferences(user).catch(() => undefined);
  return preferences?.theme ?? 'system';
}

import 'server-only';

import path from 'node:path';

import { userPreferencesSchema, type UserPreferences } from '@grove/contract';
import { z } from 'zod';

import { readJsonFile, writeJsonFile } from '@/lib/local-json-file';

/** Local mode keeps preferences in one file under GROVE_DATA_DIR (there is no Supabase). */
export const LOCAL_PREFERENCES_FILE = 'preferences.json';

const fileSchema = z.record(z.string(), z.unknown());

export function readLocalPreferences(dataDir: string, userId: string): UserPreferences {
  const all = readAll(dataDir);
  // A stored value that no longer validates (an older build's field) reads as the default.
  const parsed = userPreferencesSchema.safeParse(all[userId] ?? {});
  return parsed.success ? parsed.data : userPreferencesSchema.parse({});
}

export function writeLocalPreferences(
  dataDir: string,
  userId: string,
  preferences: UserPreferences,
): void {
  const file = path.join(dataDir, LOCAL_PREFERENCES_FILE);
  writeJsonFile(file, { ...readAll(dataDir), [userId]: preferences });
}

function readAll(dataDir: string): Record<string, unknown> {
  return readJsonFile(path.join(dataDir, LOCAL_PREFERENCES_FILE), fileSchema, {});
}

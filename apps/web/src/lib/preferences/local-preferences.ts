import 'server-only';

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { userPreferencesSchema, type UserPreferences } from '@grove/contract';
import { z } from 'zod';

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
  const all = { ...readAll(dataDir), [userId]: preferences };
  // Write then rename: a crash never leaves half a file.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(all, null, 2), { mode: 0o600 });
  renameSync(temp, file);
}

function readAll(dataDir: string): Record<string, unknown> {
  const file = path.join(dataDir, LOCAL_PREFERENCES_FILE);
  if (!existsSync(file)) return {};
  return fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

import 'server-only';

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

import type { z } from 'zod';

/** Local mode's small JSON files under GROVE_DATA_DIR: read (validated), or the empty value. */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, empty: T): T {
  return existsSync(file) ? schema.parse(JSON.parse(readFileSync(file, 'utf8'))) : empty;
}

/** Owner-only, and written then renamed: a crash never leaves half a file. */
export function writeJsonFile(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(value, null, 2), { mode: 0o600 });
  renameSync(temp, file);
}

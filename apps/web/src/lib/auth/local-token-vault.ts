import 'server-only';

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

import type { StoredGitHubToken, TokenVault } from './token-vault';

/** Local mode's vault: one file under GROVE_DATA_DIR holding ciphertext only, mode 0600. */
export const LOCAL_TOKEN_FILE = 'github-token.json';

const fileSchema = z.record(
  z.string(),
  z.object({
    accessTokenEnc: z.string(),
    refreshTokenEnc: z.string().nullable(),
    keyId: z.string(),
    expiresAt: z.string().nullable(),
    refreshExpiresAt: z.string().nullable(),
    githubLogin: z.string().nullable(),
    updatedAt: z.string(),
  }),
);

export function localTokenVault(dataDir: string): TokenVault {
  const file = path.join(dataDir, LOCAL_TOKEN_FILE);
  const read = () =>
    existsSync(file) ? fileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : {};
  const write = (all: Record<string, StoredGitHubToken>) => {
    // Write then rename: a crash never leaves half a file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(all, null, 2), { mode: 0o600 });
    renameSync(temp, file);
  };
  return {
    get: (userId) => Promise.resolve(read()[userId]),
    put: (userId, token) => {
      write({ ...read(), [userId]: token });
      return Promise.resolve();
    },
    remove: (userId) => {
      const all = read();
      delete all[userId];
      if (Object.keys(all).length === 0) rmSync(file, { force: true });
      else write(all);
      return Promise.resolve();
    },
  };
}

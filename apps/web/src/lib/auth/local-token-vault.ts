import 'server-only';

import { rmSync } from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

import { readJsonFile, writeJsonFile } from '@/lib/local-json-file';

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
  const read = () => readJsonFile(file, fileSchema, {});
  const write = (all: Record<string, StoredGitHubToken>) => writeJsonFile(file, all);
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

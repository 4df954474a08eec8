import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

const localSecretsSchema = z.object({
  accessToken: z.string().min(32),
  workerSecret: z.string().min(32),
  encryptionKey: z.string().regex(/^[0-9a-f]{64}$/),
  sessionSecret: z.string().min(32),
});
export type LocalSecrets = z.infer<typeof localSecretsSchema>;

export const LOCAL_SECRETS_FILE = 'secrets.json';

function generate(): LocalSecrets {
  return {
    accessToken: randomBytes(24).toString('base64url'),
    workerSecret: randomBytes(32).toString('base64url'),
    encryptionKey: randomBytes(32).toString('hex'),
    sessionSecret: randomBytes(32).toString('base64url'),
  };
}

/**
 * Local mode's generated secrets, created once under the data dir with mode 0600 and read
 * back afterwards. Creation uses O_EXCL so the web and the worker starting together agree on
 * one file instead of each writing its own.
 */
export function loadLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, LOCAL_SECRETS_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, JSON.stringify(generate(), null, 2), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A concurrent creator may still be writing; a short retry covers that window.
  for (let attempt = 0; ; attempt++) {
    try {
      return localSecretsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      if (attempt >= 20)
        throw new Error(`${file} is unreadable; delete it to regenerate`, { cause: error });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}

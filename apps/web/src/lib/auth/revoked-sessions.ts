import 'server-only';

import path from 'node:path';

import { z } from 'zod';

import { readJsonFile, writeJsonFile } from '@/lib/local-json-file';

/** Local mode: the ids of session cookies signed out before they expired, with their `exp`. */
export const REVOKED_SESSIONS_FILE = 'revoked-sessions.json';

const fileSchema = z.record(z.string(), z.number());

export interface RevokedSessions {
  has: (jti: string) => boolean;
  /** Ends the cookie `jti` for good (kept until its `exp`, in seconds, has passed). */
  add: (jti: string, exp: number) => void;
}

/**
 * One registry per process, not per module copy: Next bundles this module once per page and
 * route entry, and a sign-out recorded in /auth/signout's copy went unseen by the pages' copy
 * (a kept cookie still opened every page). Every copy finds the same map on globalThis.
 */
const REGISTRY = Symbol.for('grove.revoked-sessions');
const byFile = ((globalThis as { [REGISTRY]?: Map<string, RevokedSessions> })[REGISTRY] ??= new Map<
  string,
  RevokedSessions
>());

/**
 * The sign-outs of this data dir, read once and kept in memory (the web is the file's only
 * writer); each sign-out is written through, so it survives a restart.
 */
export function revokedSessions(dataDir: string): RevokedSessions {
  const file = path.join(dataDir, REVOKED_SESSIONS_FILE);
  let store = byFile.get(file);
  if (!store) {
    const revoked = new Map(Object.entries(readJsonFile(file, fileSchema, {})));
    store = {
      has: (jti) => revoked.has(jti),
      add: (jti, exp) => {
        const now = Date.now() / 1000;
        for (const [id, expiry] of revoked) if (expiry < now) revoked.delete(id);
        revoked.set(jti, exp);
        writeJsonFile(file, Object.fromEntries(revoked));
      },
    };
    byFile.set(file, store);
  }
  return store;
}

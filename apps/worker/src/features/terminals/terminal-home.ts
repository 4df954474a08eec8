import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { PER_USER_HOME } from '../../env';

export interface TerminalHomeOptions {
  /** A path, PER_USER_HOME, or unset (the worker's own HOME). */
  home?: string | undefined;
  /** Where per-user HOMEs live: `<dataDir>/homes`. */
  dataDir?: string | undefined;
}

/**
 * The HOME a user's shells get. Per user: `<dataDir>/homes/<hash of the user id>`, made on
 * first use and readable by the worker's user only, so one user's shell history and dotfiles
 * are not another's (all shells still run as the worker's Unix user: see
 * docs/architecture.md, the trust boundary).
 */
export function terminalHomeFor(options: TerminalHomeOptions, userId: string): { HOME?: string } {
  const home = options.home;
  if (!home) return {};
  if (home !== PER_USER_HOME) return { HOME: home };
  if (!options.dataDir) throw new Error('per-user terminal homes need the data dir');
  const dir = path.join(
    options.dataDir,
    'homes',
    createHash('sha256').update(userId).digest('hex').slice(0, 24),
  );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { HOME: dir };
}

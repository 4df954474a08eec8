import { createHash } from 'node:crypto';

import type { RepoSource } from './repo-source';

/**
 * How long GitHub's yes to one token reading one repository stands in for asking again. Short:
 * access taken away on GitHub reaches a fresh mirror within it.
 */
export const READ_CHECK_FRESH_MS = 30_000;

/**
 * The GitHub repositories each token (or no token) was let read lately: a fetch, a mirror's
 * build, an ls-remote. Successes only, so a refusal is asked again next time. Tokens are kept
 * hashed, never in clear. Other remotes never get a token: nothing is kept for them.
 */
export class RecentReads {
  /** When each (repository, token hash) last read, oldest first. */
  readonly #at = new Map<string, number>();

  constructor(private readonly freshMs = READ_CHECK_FRESH_MS) {}

  /** Whether `token` read `source` on GitHub within the window. */
  has(source: RepoSource, token: string | undefined): boolean {
    const at = this.#at.get(readKey(source, token));
    return at !== undefined && Date.now() - at < this.freshMs;
  }

  /** Records that `token` just read `source` on GitHub. */
  remember(source: RepoSource, token: string | undefined): void {
    if (!source.isGitHub) return;
    const now = Date.now();
    const key = readKey(source, token);
    // Re-inserted, so the map stays in check order and the expired ones are at its front.
    this.#at.delete(key);
    this.#at.set(key, now);
    for (const [old, at] of this.#at) {
      if (now - at < this.freshMs) break;
      this.#at.delete(old);
    }
  }

  get size(): number {
    return this.#at.size;
  }
}

function readKey(source: RepoSource, token: string | undefined): string {
  return `${source.key}\0${createHash('sha256')
    .update(token ?? '')
    .digest('hex')}`;
}

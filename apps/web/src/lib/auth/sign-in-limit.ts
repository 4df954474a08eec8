import 'server-only';

import { AppError } from '@grove/contract';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/** Wrong access tokens allowed per window: from one client, and from everyone together. */
export const SIGN_IN_FAILURES_PER_CLIENT = 10;
export const SIGN_IN_FAILURES_IN_ALL = 100;
export const SIGN_IN_WINDOW_SECONDS = 15 * 60;

/**
 * Local mode's brake on guessing the access token. Only wrong tokens count; once a limit is
 * reached, sign-in answers 429 without looking at the token until the window ends, so guessing
 * learns nothing meanwhile. The client is the forwarded address, which a client can set itself
 * when nothing in front of Grove overwrites it: the limit for everyone together is what holds
 * then (100 guesses per 15 minutes against a token of 16 or more characters). Loopback is not
 * one client of its own: it is the owner at the machine (or a proxy on it, for everyone), so
 * the owner's typos do not lock out the startup link for 15 minutes; the limit for everyone
 * holds there too. Signed-in browsers are not affected by either.
 */
export class SignInLimit {
  private readonly perClient = new RateLimiterMemory({
    points: SIGN_IN_FAILURES_PER_CLIENT,
    duration: SIGN_IN_WINDOW_SECONDS,
  });
  private readonly inAll = new RateLimiterMemory({
    points: SIGN_IN_FAILURES_IN_ALL,
    duration: SIGN_IN_WINDOW_SECONDS,
  });

  /**
   * Throws `rate_limited` (429, with retryAfter, limit, remaining, reset) while paused.
   * `crossSite`: a request another site's page made (Sec-Fetch-Site), counted apart, so that a
   * page that sends a browser to wrong links again and again cannot pause the owner's own.
   */
  async check(client: string, { crossSite = false } = {}): Promise<void> {
    const [mine, all] = await Promise.all([
      isLoopback(client) ? null : this.perClient.get(bucket(client, crossSite)),
      this.inAll.get(bucket('all', crossSite)),
    ]);
    const spent = [
      { res: mine, limit: SIGN_IN_FAILURES_PER_CLIENT },
      { res: all, limit: SIGN_IN_FAILURES_IN_ALL },
    ].filter((entry): entry is { res: RateLimiterRes; limit: number } =>
      Boolean(entry.res && entry.res.consumedPoints >= entry.limit),
    );
    if (spent.length === 0) return;
    const waitMs = Math.max(...spent.map((entry) => entry.res.msBeforeNext));
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    throw new AppError(
      'rate_limited',
      `Too many wrong access tokens. Try again in ${formatWait(retryAfter)}.`,
      {
        rateLimit: {
          retryAfter,
          limit: spent[0]!.limit,
          remaining: 0,
          reset: Math.ceil((Date.now() + waitMs) / 1000),
        },
      },
    );
  }

  /** Counts a wrong token. */
  async failed(client: string, { crossSite = false } = {}): Promise<void> {
    await Promise.all([
      isLoopback(client) ? undefined : this.perClient.penalty(bucket(client, crossSite)),
      this.inAll.penalty(bucket('all', crossSite)),
    ]);
  }
}

function bucket(key: string, crossSite: boolean): string {
  return crossSite ? `cross-site ${key}` : key;
}

function formatWait(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

function isLoopback(address: string): boolean {
  return /^(127\.|::1$|::ffff:127\.)/.test(address);
}

/** The address a request came from, as Next passes it on (the first forwarded hop). */
export function clientAddress(headers: Headers): string {
  return headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}

/** The one limit of this server process. */
export const signInLimit = new SignInLimit();

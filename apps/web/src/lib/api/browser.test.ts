import { describe, expect, it } from 'vitest';

import { apiErrorFrom } from './browser';

describe('apiErrorFrom', () => {
  it('says when to retry a 429', () => {
    const error = apiErrorFrom(429, {
      error: { code: 'rate_limited', message: 'Too many messages', retryAfter: 125 },
    });
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfter).toBe(125);
    expect(error.message).toBe('Too many messages — try again in 3 min');
  });

  it('falls back to Retry-After, lists validation details, and points at workers on 502/503', () => {
    expect(apiErrorFrom(429, {}, '7').message).toBe('Request failed (429) — try again in 7s');
    expect(
      apiErrorFrom(422, {
        error: { message: 'Invalid', details: [{ path: 'repo', message: 'required' }] },
      }).message,
    ).toBe('Invalid: repo required');
    expect(
      apiErrorFrom(503, { error: { message: 'The worker is not reachable' } }).message,
    ).toMatch(/worker may be down/);
  });
});

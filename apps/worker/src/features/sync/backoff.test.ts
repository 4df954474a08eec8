import { describe, expect, it } from 'vitest';

import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('is zero without failures', () => {
    expect(backoffDelay(0)).toBe(0);
  });

  it('doubles per failure between half and all of the capped delay', () => {
    for (let failures = 1; failures <= 6; failures += 1) {
      const cap = BACKOFF_BASE_MS * 2 ** (failures - 1);
      expect(backoffDelay(failures, () => 0)).toBe(cap / 2);
      expect(backoffDelay(failures, () => 1)).toBe(cap);
    }
  });

  it('never exceeds the maximum', () => {
    expect(backoffDelay(1000, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(1000, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });

  it('spreads retries with jitter', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    expect(seen.size).toBeGreaterThan(10);
  });
});

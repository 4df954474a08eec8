import { describe, expect, it } from 'vitest';

import { backoffDelay, RECONNECT_BASE_MS, RECONNECT_MAX_MS } from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially, stays within [ceiling/2, ceiling] and is capped', () => {
    expect(backoffDelay(0, () => 0)).toBe(RECONNECT_BASE_MS / 2);
    expect(backoffDelay(0, () => 1)).toBe(RECONNECT_BASE_MS);
    expect(backoffDelay(3, () => 1)).toBe(RECONNECT_BASE_MS * 8);
    expect(backoffDelay(50, () => 1)).toBe(RECONNECT_MAX_MS);
    expect(backoffDelay(50, () => 0)).toBe(RECONNECT_MAX_MS / 2);
  });
});

import { isAppError } from '@grove/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));

const { SignInLimit, SIGN_IN_WINDOW_SECONDS, clientAddress } = await import('./sign-in-limit');

async function refusal(check: Promise<void>) {
  try {
    await check;
    return undefined;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return error;
  }
}

afterEach(() => vi.useRealTimers());

describe('SignInLimit', () => {
  it('holds for everyone together when each guess claims another address', async () => {
    const limit = new SignInLimit();
    for (let i = 0; i < 100; i++) {
      expect(await refusal(limit.check(`10.0.${i}.1`))).toBeUndefined();
      await limit.failed(`10.0.${i}.1`);
    }
    const error = await refusal(limit.check('192.0.2.200'));
    expect(error?.code).toBe('rate_limited');
    expect(error?.rateLimit).toMatchObject({ limit: 100, remaining: 0 });
  });

  it('lets a client try again once the window has passed', async () => {
    vi.useFakeTimers();
    const limit = new SignInLimit();
    for (let i = 0; i < 10; i++) await limit.failed('192.0.2.1');
    expect((await refusal(limit.check('192.0.2.1')))?.code).toBe('rate_limited');
    expect(await refusal(limit.check('192.0.2.2'))).toBeUndefined();
    vi.advanceTimersByTime(SIGN_IN_WINDOW_SECONDS * 1000 + 1);
    expect(await refusal(limit.check('192.0.2.1'))).toBeUndefined();
  });

  it('does not pause the owner at the machine for a few typos (loopback counts only in all)', async () => {
    const limit = new SignInLimit();
    for (let i = 0; i < 20; i++) await limit.failed('127.0.0.1');
    expect(await refusal(limit.check('127.0.0.1'))).toBeUndefined();
    expect(await refusal(limit.check('::1'))).toBeUndefined();
    for (let i = 0; i < 80; i++) await limit.failed('::1');
    expect((await refusal(limit.check('127.0.0.1')))?.code).toBe('rate_limited');
  });

  it('takes the first forwarded address as the client', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '203.0.113.9, 10.0.0.1' }))).toBe(
      '203.0.113.9',
    );
    expect(clientAddress(new Headers())).toBe('unknown');
  });
});

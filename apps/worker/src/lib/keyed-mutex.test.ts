import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { KeyedMutex } from './keyed-mutex';

describe('KeyedMutex', () => {
  it('runs tasks of one key one at a time, in order, and other keys in parallel', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const task = (key: string, name: string, ms: number) =>
      mutex.run(key, async () => {
        events.push(`start ${name}`);
        await sleep(ms);
        events.push(`end ${name}`);
      });
    await Promise.all([task('a', 'a1', 30), task('a', 'a2', 1), task('b', 'b1', 5)]);
    expect(events.indexOf('end a1')).toBeLessThan(events.indexOf('start a2'));
    expect(events.indexOf('start b1')).toBeLessThan(events.indexOf('end a1'));
    expect(mutex.busyKeys).toBe(0);
  });

  it('releases the lock when a task throws', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('k', () => Promise.resolve(7))).resolves.toBe(7);
  });
});

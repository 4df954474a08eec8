import { makeTempDir } from '@grove/testkit';
import { afterAll, describe, expect, it } from 'vitest';

import { loadConfig } from './env';

describe('loadConfig', () => {
  const temp = makeTempDir('grove-env-');
  afterAll(() => temp.cleanup());

  it('refuses to start outside local mode without WORKER_SECRET (fail closed)', () => {
    expect(() =>
      loadConfig({
        GROVE_DATA_DIR: temp.dir,
        NEXT_PUBLIC_SUPABASE_URL: 'https://x.supabase.co',
        SUPABASE_SERVICE_ROLE_KEY: 'k',
      }),
    ).toThrow(/WORKER_SECRET is required/);
  });

  it('uses a generated, persisted secret in local mode and allows local repos there only', () => {
    const local = loadConfig({ GROVE_DATA_DIR: temp.dir });
    expect(local.mode).toBe('local');
    expect(local.workerSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ GROVE_DATA_DIR: temp.dir }).workerSecret).toBe(local.workerSecret);
    expect(local.allowLocalRepos).toBe(true);
    const hosted = loadConfig({
      GROVE_DATA_DIR: temp.dir,
      WORKER_SECRET: 'w'.repeat(40),
      NEXT_PUBLIC_SUPABASE_URL: 'https://x.supabase.co',
      SUPABASE_SERVICE_ROLE_KEY: 'k',
    });
    expect(hosted.allowLocalRepos).toBe(false);
    // Many users in Supabase mode: each gets a terminal HOME of their own; the owner keeps theirs.
    expect(hosted.terminal.home).toBe('per-user');
    expect(local.terminal.home).toBeUndefined();
    expect(
      loadConfig({ GROVE_DATA_DIR: temp.dir, GROVE_TERMINAL_HOME: '/srv/shared' }).terminal.home,
    ).toBe('/srv/shared');
    expect(
      loadConfig({ GROVE_DATA_DIR: temp.dir, GROVE_ALLOW_LOCAL_REPOS: '0' }).allowLocalRepos,
    ).toBe(false);
  });

  it('names every bad variable', () => {
    expect(() =>
      loadConfig({ GROVE_DATA_DIR: temp.dir, WORKER_PORT: 'abc', WORKER_SECRET: 'short' }),
    ).toThrow(/WORKER_PORT[\s\S]*WORKER_SECRET|WORKER_SECRET[\s\S]*WORKER_PORT/);
  });

  it('binds to loopback by default', () => {
    const config = loadConfig({ GROVE_DATA_DIR: temp.dir });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3001);
  });

  it('gives a silent git remote 30 s by default, and takes GROVE_GIT_STALL_SECONDS from 1 to 600', () => {
    expect(loadConfig({ GROVE_DATA_DIR: temp.dir }).gitStallSeconds).toBe(30);
    expect(
      loadConfig({ GROVE_DATA_DIR: temp.dir, GROVE_GIT_STALL_SECONDS: '2' }).gitStallSeconds,
    ).toBe(2);
    for (const bad of ['0', '601', '1.5', 'soon'])
      expect(() => loadConfig({ GROVE_DATA_DIR: temp.dir, GROVE_GIT_STALL_SECONDS: bad })).toThrow(
        /GROVE_GIT_STALL_SECONDS/,
      );
  });
});

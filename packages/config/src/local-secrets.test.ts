import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadLocalSecrets } from './local-secrets';
import { resolveDataDir } from './data-dir';

describe('loadLocalSecrets', () => {
  it('creates the secrets once, private, and returns the same ones afterwards', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'grove-secrets-'));
    const first = loadLocalSecrets(dir);
    const second = loadLocalSecrets(dir);
    expect(second).toEqual(first);
    expect(first.encryptionKey).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });
});

describe('resolveDataDir', () => {
  it('defaults to .grove at the workspace root and honours an explicit path', () => {
    expect(resolveDataDir(undefined, import.meta.dirname)).toMatch(/\.grove$/);
    expect(path.isAbsolute(resolveDataDir(undefined, import.meta.dirname))).toBe(true);
    expect(resolveDataDir('/tmp/x')).toBe('/tmp/x');
  });
});

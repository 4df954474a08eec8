import { randomBytes } from 'node:crypto';

import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));

const { decryptSecret, encryptSecret, keyIdOf, keyringFrom } = await import('./token-crypto');

const hex = () => randomBytes(32).toString('hex');

describe('token crypto (AES-256-GCM)', () => {
  const keyring = keyringFrom(hex());

  it('round-trips, never stores the plaintext, and uses a fresh IV each time', () => {
    const a = encryptSecret(keyring, 'ghp_secret', 'user-1');
    const b = encryptSecret(keyring, 'ghp_secret', 'user-1');
    expect(a).not.toContain('ghp_secret');
    expect(a).not.toBe(b);
    expect(a.split('.')[0]).toBe(keyIdOf(keyring.current));
    expect(decryptSecret(keyring, a, 'user-1')).toBe('ghp_secret');
  });

  it('refuses another user’s context and any tampering', () => {
    const sealed = encryptSecret(keyring, 'ghp_secret', 'user-1');
    expect(() => decryptSecret(keyring, sealed, 'user-2')).toThrow();
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0]! ^= 1;
    parts[3] = flipped.toString('base64url');
    expect(() => decryptSecret(keyring, parts.join('.'), 'user-1')).toThrow();
  });

  it('decrypts with a rotated-out key found by its id, and refuses unknown keys', () => {
    const old = keyringFrom(hex());
    const sealed = encryptSecret(old, 'ghp_old', 'u');
    const rotated = keyringFrom(hex(), [old.current.toString('hex')]);
    expect(decryptSecret(rotated, sealed, 'u')).toBe('ghp_old');
    expect(() => decryptSecret(keyringFrom(hex()), sealed, 'u')).toThrow(/no key/);
  });
});

import 'server-only';

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** AES-256-GCM: 96-bit random IV per message (NIST's recommended size), 128-bit tag. */
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Keyring {
  /** Encrypts with this one. */
  current: Buffer;
  /** Still decrypts with these (a rotated-out ENCRYPTION_KEY), found by key id. */
  previous: Buffer[];
}

/** A short, public fingerprint of a key: stored next to the ciphertext so the key can rotate. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export function keyringFrom(currentHex: string, previousHex: string[] = []): Keyring {
  return {
    current: Buffer.from(currentHex, 'hex'),
    previous: previousHex.map((hex) => Buffer.from(hex, 'hex')),
  };
}

/**
 * `<keyId>.<iv>.<tag>.<ciphertext>` (base64url). `context` (the owner's user id) is bound as
 * additional authenticated data: a ciphertext copied to another user's row does not decrypt.
 */
export function encryptSecret(keyring: Keyring, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, keyring.current, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [keyIdOf(keyring.current), iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The plaintext, or throws when the key is unknown or the data or context was tampered with. */
export function decryptSecret(keyring: Keyring, sealed: string, context: string): string {
  const [keyId, iv, tag, ciphertext] = sealed.split('.');
  if (!keyId || !iv || !tag || ciphertext === undefined) throw new Error('malformed ciphertext');
  const key = [keyring.current, ...keyring.previous].find((k) => keyIdOf(k) === keyId);
  if (!key) throw new Error(`no key with id ${keyId}`);
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}

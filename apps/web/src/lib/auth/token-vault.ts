import 'server-only';

/** A user's GitHub credentials as stored: ciphertexts only (see token-crypto). */
export interface StoredGitHubToken {
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  keyId: string;
  expiresAt: string | null;
  refreshExpiresAt: string | null;
  githubLogin: string | null;
  updatedAt: string;
}

/** Where encrypted GitHub tokens live: Supabase (per user, RLS) or a local file. */
export interface TokenVault {
  get: (userId: string) => Promise<StoredGitHubToken | undefined>;
  put: (userId: string, token: StoredGitHubToken) => Promise<void>;
  remove: (userId: string) => Promise<void>;
}

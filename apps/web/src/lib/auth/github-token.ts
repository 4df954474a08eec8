import 'server-only';

import { AppError } from '@grove/contract';
import { z } from 'zod';

import { env } from '@/env';

import type { CurrentUser } from './current-user';
import { localTokenVault } from './local-token-vault';
import { supabaseTokenVault } from './supabase-token-vault';
import { decryptSecret, encryptSecret, keyIdOf, keyringFrom } from './token-crypto';
import type { TokenVault } from './token-vault';

/** Refresh this long before the stated expiry, so a token never dies mid-request. */
const EXPIRY_MARGIN_MS = 60_000;
/**
 * GitHub's expiring user tokens live 8 hours. Supabase passes the provider token on without its
 * expiry, so when a refresh token came with it we assume GitHub's documented lifetime.
 */
export const GITHUB_USER_TOKEN_LIFETIME_MS = 8 * 3_600_000;

export interface NewGitHubToken {
  accessToken: string;
  refreshToken?: string | null | undefined;
  expiresAt?: Date | null | undefined;
  refreshExpiresAt?: Date | null | undefined;
  login?: string | null | undefined;
}

function vault(): TokenVault {
  return env().mode === 'supabase' ? supabaseTokenVault() : localTokenVault(env().dataDir);
}

function keyring() {
  return keyringFrom(env().encryptionKey, env().previousEncryptionKeys);
}

/** Encrypts and stores the user's GitHub token (and refresh token). Server-side only. */
export async function storeGitHubToken(userId: string, token: NewGitHubToken): Promise<void> {
  const ring = keyring();
  await vault().put(userId, {
    accessTokenEnc: encryptSecret(ring, token.accessToken, userId),
    refreshTokenEnc: token.refreshToken ? encryptSecret(ring, token.refreshToken, userId) : null,
    keyId: keyIdOf(ring.current),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    refreshExpiresAt: token.refreshExpiresAt?.toISOString() ?? null,
    githubLogin: token.login ?? null,
    updatedAt: new Date().toISOString(),
  });
}

/** How long a user's recorded login is taken as read (one vault read per user this often). */
const RECORDED_LOGIN_MS = 60_000;
const recordedLogins = new Map<string, { login: string; at: number }>();

/**
 * The GitHub login Grove recorded for the user at sign-in, with their token (what GitHub's
 * `/user` said then), or undefined: a Supabase account that never signed in through Grove's
 * GitHub callback (an email sign-up, say) has none. Read from the vault, remembered a minute;
 * when the vault cannot be read, the last login read, however old.
 */
export async function recordedGitHubLogin(userId: string): Promise<string | undefined> {
  const known = recordedLogins.get(userId);
  if (known && Date.now() - known.at < RECORDED_LOGIN_MS) return known.login;
  let login: string | null | undefined;
  try {
    login = (await vault().get(userId))?.githubLogin;
  } catch (error) {
    if (known) return known.login;
    throw new AppError(
      'supabase_unavailable',
      'Supabase could not be reached to check who is signed in; try again',
      { cause: error },
    );
  }
  if (!login) {
    recordedLogins.delete(userId);
    return undefined;
  }
  recordedLogins.set(userId, { login, at: Date.now() });
  return login;
}

export async function removeGitHubToken(userId: string): Promise<void> {
  await vault().remove(userId);
}

export interface GitHubConnection {
  connected: boolean;
  source: 'vault' | 'env' | null;
  login: string | null;
  expiresAt: string | null;
  refreshable: boolean;
  updatedAt: string | null;
}

/** What /settings shows: never the token itself. */
export async function githubConnection(user: CurrentUser): Promise<GitHubConnection> {
  const stored = await vault().get(user.id);
  if (stored) {
    return {
      connected: true,
      source: 'vault',
      login: stored.githubLogin,
      expiresAt: stored.expiresAt,
      // Renewed only with a refresh token and the OAuth app's credentials to use it with.
      refreshable: stored.refreshTokenEnc !== null && env().githubOAuthApp !== undefined,
      updatedAt: stored.updatedAt,
    };
  }
  const fromEnv = env().mode === 'local' && !!env().githubToken;
  return {
    connected: fromEnv,
    source: fromEnv ? 'env' : null,
    login: null,
    expiresAt: null,
    refreshable: false,
    updatedAt: null,
  };
}

const refreshAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().optional(),
  refresh_token_expires_in: z.coerce.number().optional(),
});

/** GitHub's token endpoint, grant_type=refresh_token (expiring user tokens of GitHub Apps). */
async function refreshGitHubToken(refreshToken: string): Promise<NewGitHubToken> {
  const app = env().githubOAuthApp;
  if (!app) throw new AppError('github_reauth_required', 'GitHub sign-in expired: sign in again');
  const response = await fetch(`${env().githubUrl}/login/oauth/access_token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }).toString(),
    signal: AbortSignal.timeout(10_000),
    cache: 'no-store',
  });
  const parsed = refreshAnswer.safeParse(await response.json().catch(() => ({})));
  if (!response.ok || !parsed.success) {
    throw new AppError('github_reauth_required', 'GitHub sign-in expired: sign in again');
  }
  const now = Date.now();
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token ?? refreshToken,
    expiresAt: new Date(now + (parsed.data.expires_in ?? 8 * 3600) * 1000),
    refreshExpiresAt: parsed.data.refresh_token_expires_in
      ? new Date(now + parsed.data.refresh_token_expires_in * 1000)
      : null,
  };
}

/**
 * The user's GitHub token for the one request that needs it, decrypted server-side only.
 * Supabase mode: the stored token, refreshed when it expired and a refresh token exists, else
 * `401 github_reauth_required`. Local mode: a token pasted in /settings, else GITHUB_TOKEN.
 */
export async function githubTokenFor(user: CurrentUser): Promise<string | undefined> {
  const config = env();
  const stored = await vault().get(user.id);
  if (!stored) return config.mode === 'local' ? config.githubToken : undefined;
  const ring = keyring();
  const expired =
    stored.expiresAt !== null && Date.parse(stored.expiresAt) - EXPIRY_MARGIN_MS <= Date.now();
  if (!expired) return decryptSecret(ring, stored.accessTokenEnc, user.id);
  if (!stored.refreshTokenEnc) {
    throw new AppError('github_reauth_required', 'GitHub sign-in expired: sign in again');
  }
  // One refresh per user at a time: GitHub's refresh tokens are single-use, so the requests
  // that find the same expired token (a page's parallel calls) share the first one's answer.
  let refreshing = refreshes.get(user.id);
  if (!refreshing) {
    const refreshToken = decryptSecret(ring, stored.refreshTokenEnc, user.id);
    refreshing = refreshGitHubToken(refreshToken)
      .then(async (fresh) => {
        await storeGitHubToken(user.id, { ...fresh, login: stored.githubLogin });
        return fresh.accessToken;
      })
      .finally(() => refreshes.delete(user.id));
    refreshes.set(user.id, refreshing);
  }
  return refreshing;
}

/** Refreshes under way, by user id (see githubTokenFor). */
const refreshes = new Map<string, Promise<string>>();

import 'server-only';

import { createClient } from '@/lib/supabase/server';

import type { StoredGitHubToken, TokenVault } from './token-vault';

interface Row {
  access_token_enc: string;
  refresh_token_enc: string | null;
  key_id: string;
  expires_at: string | null;
  refresh_expires_at: string | null;
  github_login: string | null;
  updated_at: string;
}

/**
 * Supabase mode's vault: `public.github_tokens`, written and read as the signed-in user, so row
 * level security keeps every user to their own row. Only ciphertext crosses the wire.
 */
export function supabaseTokenVault(): TokenVault {
  return {
    get: async (userId) => {
      const supabase = await createClient();
      const { data, error } = await supabase
        .from('github_tokens')
        .select(
          'access_token_enc, refresh_token_enc, key_id, expires_at, refresh_expires_at, github_login, updated_at',
        )
        .eq('user_id', userId)
        .maybeSingle<Row>();
      if (error) throw new Error(`github_tokens read failed: ${error.message}`);
      if (!data) return undefined;
      return {
        accessTokenEnc: data.access_token_enc,
        refreshTokenEnc: data.refresh_token_enc,
        keyId: data.key_id,
        expiresAt: data.expires_at,
        refreshExpiresAt: data.refresh_expires_at,
        githubLogin: data.github_login,
        updatedAt: data.updated_at,
      };
    },
    put: async (userId, token: StoredGitHubToken) => {
      const supabase = await createClient();
      const { error } = await supabase.from('github_tokens').upsert({
        user_id: userId,
        access_token_enc: token.accessTokenEnc,
        refresh_token_enc: token.refreshTokenEnc,
        key_id: token.keyId,
        expires_at: token.expiresAt,
        refresh_expires_at: token.refreshExpiresAt,
        github_login: token.githubLogin,
        updated_at: token.updatedAt,
      });
      if (error) throw new Error(`github_tokens write failed: ${error.message}`);
    },
    remove: async (userId) => {
      const supabase = await createClient();
      const { error } = await supabase.from('github_tokens').delete().eq('user_id', userId);
      if (error) throw new Error(`github_tokens delete failed: ${error.message}`);
    },
  };
}

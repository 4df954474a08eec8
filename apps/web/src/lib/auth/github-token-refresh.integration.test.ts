import { type GitHubStandIn, type SupabaseStandUp } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { browse, signInWithGitHub, type CookieJar } from '@/testing/browser-session';
import { type Stack } from '@/testing/stack';
import { startSupabaseStack, type SupabaseStack } from '@/testing/supabase-stack';

interface TokenRow {
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_at: Date | null;
}

/**
 * GitHub's expiring user tokens (GitHub Apps): the web refreshes an expired token with its
 * refresh token at GitHub (the stand-in), stores the new pair encrypted, and asks the user to
 * sign in again (401 github_reauth_required) when it cannot.
 */
describe('Supabase mode: an expired GitHub token', () => {
  let github: GitHubStandIn;
  let supabase: SupabaseStandUp;
  let stack: Stack;
  let jar: CookieJar;
  let spentRefreshEnc: string | null = null;
  let env: SupabaseStack | undefined;

  beforeAll(async () => {
    env = await startSupabaseStack({
      github: { expiringTokens: true },
      env: (github) => ({
        GITHUB_CLIENT_ID: github.oauthApp.clientId,
        GITHUB_CLIENT_SECRET: github.oauthApp.clientSecret,
      }),
    });
    ({ github, supabase, stack } = env);
    jar = await signInWithGitHub(stack.webUrl);
  });

  afterAll(async () => {
    await env?.stop();
  });

  const repos = () => browse(stack.webUrl, jar, `${stack.webUrl}/api/user/repos`);
  const row = async () =>
    (
      await supabase.sql<TokenRow[]>`
      select access_token_enc, refresh_token_enc, expires_at from public.github_tokens`
    )[0]!;
  const refreshCalls = () =>
    github.requests.filter((r) => r.method === 'POST' && r.path === '/login/oauth/access_token')
      .length;

  it('refreshes an expired token once, stores the new one encrypted, and lists repos', async () => {
    const signedIn = await row();
    expect(signedIn.refresh_token_enc).not.toBeNull();
    spentRefreshEnc = signedIn.refresh_token_enc;
    expect(signedIn.expires_at!.getTime()).toBeGreaterThan(Date.now());
    expect((await repos()).status).toBe(200);
    const before = refreshCalls();

    await supabase.sql`update public.github_tokens set expires_at = now() - interval '1 minute'`;
    const answer = await repos();
    expect(answer.status).toBe(200);
    const body = await answer.text();
    expect(JSON.parse(body)).toEqual({
      repos: [{ fullName: 'octo/hello', defaultBranch: 'main', private: true }],
    });
    expect(refreshCalls()).toBe(before + 1);

    const refreshed = await row();
    expect(refreshed.access_token_enc).not.toBe(signedIn.access_token_enc);
    expect(refreshed.refresh_token_enc).not.toBe(signedIn.refresh_token_enc);
    expect(refreshed.expires_at!.getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    // The new token GitHub issued is stored, but only as ciphertext; none reaches the browser.
    const newest = github.issuedTokens.at(-1)!;
    expect(JSON.stringify(refreshed)).not.toContain(newest);
    expect(body).not.toContain(newest);

    // Still valid: no second refresh.
    expect((await repos()).status).toBe(200);
    expect(refreshCalls()).toBe(before + 1);

    // Expired again, and a page asks four things at once: one refresh (GitHub's refresh
    // tokens are single-use, so a second would be refused and sign the user out), four answers.
    await supabase.sql`update public.github_tokens set expires_at = now() - interval '1 minute'`;
    const together = await Promise.all([repos(), repos(), repos(), repos()]);
    expect(together.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(refreshCalls()).toBe(before + 2);
  });

  it('asks to sign in again when the refresh token is refused or missing', async () => {
    // The refresh token from sign-in was used up by the refresh above: GitHub refuses it.
    await supabase.sql`update public.github_tokens
      set expires_at = now() - interval '1 minute', refresh_token_enc = ${spentRefreshEnc}`;
    const refused = await repos();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'github_reauth_required',
    );

    await supabase.sql`update public.github_tokens set refresh_token_enc = null`;
    const none = await repos();
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe(
      'github_reauth_required',
    );
  });
});

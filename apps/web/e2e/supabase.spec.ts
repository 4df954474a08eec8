import { existsSync } from 'node:fs';

import { type GitHubStandIn, type SupabaseStandUp } from '@grove/testkit';
import { expect, test } from '@playwright/test';

import { freePort, WORKER_ENTRY, type Stack } from '../src/testing/stack';
import { startSupabaseStack, type SupabaseStack } from '../src/testing/supabase-stack';

import { DESKTOP, PHONE, screenshot, watchPageErrors } from './helpers';

let github: GitHubStandIn;
let supabase: SupabaseStandUp;
let stack: Stack;
let env: SupabaseStack | undefined;

/**
 * Supabase mode on real Chromium: `@supabase/lite` on a real PostgreSQL with the project's
 * migrations, the GitHub stand-in for GitHub, the built worker and `next start` — all on free
 * ports, all stopped by PID.
 */
test.beforeAll(async () => {
  expect(existsSync(WORKER_ENTRY), 'build the worker first').toBe(true);
  const port = await freePort();
  env = await startSupabaseStack({
    repos: ['octo/website'],
    env: { GROVE_ALLOWED_ORIGINS: `http://127.0.0.1:${port}` },
    stack: { webPort: port },
  });
  ({ github, supabase, stack } = env);
});

test.afterAll(async () => {
  await env?.stop();
});

test('Supabase mode: sign in with GitHub, repos from GitHub, settings, sign out', async ({
  page,
}) => {
  const errors = watchPageErrors(page);
  await page.setViewportSize(DESKTOP);

  await test.step('the login page offers GitHub', async () => {
    await page.goto(`${stack.webUrl}/`);
    await expect(page).toHaveURL(`${stack.webUrl}/auth/login`);
    await expect(page.getByRole('button', { name: 'Sign in with GitHub' })).toBeVisible();
    await screenshot(page, 'supabase-login-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'supabase-login-phone');
    await page.setViewportSize(DESKTOP);
  });

  await test.step('"Sign in with GitHub" comes back signed in', async () => {
    await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
    await expect(page).toHaveURL(`${stack.webUrl}/`);
    await expect(page.getByRole('heading', { name: 'New session' })).toBeVisible();
    expect(github.requests.some((r) => r.path === '/login/oauth/authorize')).toBe(true);
  });

  await test.step('the token row in the database is ciphertext, never the token', async () => {
    const rows = await supabase.sql<{ access_token_enc: string; github_login: string }[]>`
      select access_token_enc, github_login from public.github_tokens`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.github_login).toBe('octo');
    expect(rows[0]!.access_token_enc).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(JSON.stringify(await supabase.sql`select * from public.github_tokens`)).not.toContain(
      github.token,
    );
    const cookies = await page.context().cookies();
    expect(JSON.stringify(cookies)).not.toContain(github.token);
  });

  await test.step('the repo picker lists the repositories from GitHub', async () => {
    const picker = page.getByRole('group', { name: 'Your GitHub repositories' });
    await expect(picker.getByRole('button', { name: 'octo/hello' })).toBeVisible();
    await expect(picker.getByRole('button', { name: 'octo/website' })).toBeVisible();
    expect(await page.content()).not.toContain(github.token);
    await screenshot(page, 'supabase-home-desktop');
    await page.setViewportSize(PHONE);
    await expect(picker.getByRole('button', { name: 'octo/hello' })).toBeVisible();
    await screenshot(page, 'supabase-home-phone');
    await page.setViewportSize(DESKTOP);
  });

  await test.step('/settings shows the GitHub connection and preferences', async () => {
    await page.goto(`${stack.webUrl}/settings`);
    await expect(page.getByTestId('github-status')).toContainText('Connected as octo');
    await expect(page.getByRole('heading', { name: 'Preferences' })).toBeVisible();
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByLabel('Default base branch').fill('develop');
    await page.getByLabel('Terminal font size').fill('16');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect(page.getByRole('status')).toHaveText('Saved');
    await expect
      .poll(
        async () =>
          (
            await supabase.sql<{ theme: string }[]>`
            select prefs->>'theme' as theme from public.user_preferences`
          )[0]?.theme,
      )
      .toBe('dark');
    await screenshot(page, 'supabase-settings-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'supabase-settings-phone');
    await page.setViewportSize(DESKTOP);
    // The preference pre-fills the new-session form, also over a picked repo's default.
    await page.getByRole('link', { name: 'Sessions' }).click();
    await expect(page.getByLabel('Base branch')).toHaveValue('develop');
    await page.getByRole('button', { name: 'octo/hello' }).click();
    await expect(page.getByLabel('Base branch')).toHaveValue('develop');
  });

  await test.step('the terminal font size preference reaches the IDE terminal', async () => {
    await page.getByLabel('Base branch').fill('main');
    await page.getByRole('button', { name: 'Create session' }).click();
    // Create opens the new session's IDE.
    await expect(page).toHaveURL(/\/sessions\/[a-z0-9]+$/, { timeout: 30_000 });
    await expect(page.locator('[data-testid="terminal"]').first()).toHaveAttribute(
      'data-font-size',
      '16',
    );
  });

  await test.step('sign out ends the session', async () => {
    await page.goto(`${stack.webUrl}/settings`);
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await expect(page).toHaveURL(/\/auth\/login$/);
    const cookies = await page.context().cookies();
    expect(cookies.filter((cookie) => cookie.name.startsWith('sb-'))).toEqual([]);
    const gated = await page.request.get(`${stack.webUrl}/api/user/repos`);
    expect(gated.status()).toBe(401);
  });

  expect(errors).toEqual([]);
});

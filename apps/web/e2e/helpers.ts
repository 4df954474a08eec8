import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { expect, type Page } from '@playwright/test';

import { freePort, startStack, type Stack } from '../src/testing/stack';

export const SCREENSHOT_DIR = path.join(import.meta.dirname, 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * The built stack on a web port chosen up front, so the worker accepts terminal sockets from
 * the page's origin, with bash as the terminal's shell.
 */
export async function startBrowserStack(env: Record<string, string> = {}): Promise<Stack> {
  const port = await freePort();
  return startStack(
    {
      GROVE_ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
      GROVE_TERMINAL_SHELL: '/bin/bash',
      ...env,
    },
    { webPort: port },
  );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/**
 * Collects what would be a visible failure for a user: uncaught exceptions and console
 * errors, the browser's own log line for a failed request included (a test that provokes one
 * on purpose takes it out of the list).
 */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    errors.push(`console.error: ${message.text()} (${url})`);
  });
  return errors;
}

/** The terminal's buffer as text, read from xterm itself (works with the WebGL and DOM renderers). */
export async function terminalText(page: Page): Promise<string> {
  return page
    .locator('.terminal-view:not([hidden]) [data-testid="terminal"]')
    .evaluate((el) => (el as HTMLElement & { readBuffer?: () => string }).readBuffer?.() ?? '');
}

export async function expectTerminalToContain(page: Page, text: string): Promise<void> {
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toContain(text);
}

/**
 * How far (CSS pixels) the shown terminal's last column reaches past the room it has: the
 * terminal box's content less xterm's scrollbar. At most 0 when every column is wholly visible
 * (a glyph of the DOM renderer may reach a fraction of a pixel further).
 */
export async function terminalOverflow(page: Page): Promise<number> {
  return page.locator('.terminal-view:not([hidden]) [data-testid="terminal"]').evaluate((host) => {
    const style = getComputedStyle(host);
    let room =
      host.getBoundingClientRect().right -
      parseFloat(style.borderRightWidth) -
      parseFloat(style.paddingRight);
    const scrollbar = host.querySelector('.xterm-scrollable-element > .scrollbar.vertical');
    if (scrollbar) room = Math.min(room, scrollbar.getBoundingClientRect().left);
    // The screen is as wide as the columns; the DOM renderer's rows show where glyphs really end.
    let right = host.querySelector('.xterm-screen')?.getBoundingClientRect().right ?? Infinity;
    for (const row of host.querySelectorAll('.xterm-rows > div')) {
      const range = document.createRange();
      range.selectNodeContents(row);
      right = Math.max(right, range.getBoundingClientRect().right);
    }
    return right - room;
  });
}

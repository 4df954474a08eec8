import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createSourceRepo, makeTempDir } from '@grove/testkit';
import { expect, test } from '@playwright/test';

import { TEST_ACCESS_TOKEN, WORKER_ENTRY, type Stack } from '../src/testing/stack';

import {
  DESKTOP,
  expectTerminalToContain,
  startBrowserStack,
  terminalText,
  watchPageErrors,
} from './helpers';

/**
 * The terminal pane over a session's life: opened while the session is still `creating` (a
 * large repository takes a while), it waits and opens Terminal 1 once the session is ready;
 * a shell ended with `exit` comes back after a reload under a line that says it exited.
 */
let stack: Stack;
let temp: ReturnType<typeof makeTempDir>;
let repo: string;
/** While this file exists, the worker's `git worktree add` waits: the create stays `creating`. */
let gate: string;

test.beforeAll(async () => {
  expect(existsSync(WORKER_ENTRY), 'build the worker first').toBe(true);
  temp = makeTempDir('grove-e2e-terms-');
  repo = createSourceRepo(path.join(temp.dir, 'origin'), { files: 1 });
  gate = path.join(temp.dir, 'hold-create');
  // A `git` ahead of the real one on the worker's PATH (git children inherit PATH): it holds
  // the create's last step, as a large repository's checkout would, for as long as the test says.
  const bin = path.join(temp.dir, 'bin');
  mkdirSync(bin);
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(
    path.join(bin, 'git'),
    [
      '#!/bin/sh',
      'case " $* " in',
      `  *" worktree add "*) while [ -e '${gate}' ]; do sleep 0.1; done ;;`,
      'esac',
      `exec '${realGit}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(path.join(bin, 'git'), 0o755);
  stack = await startBrowserStack({ PATH: `${bin}:${process.env.PATH ?? ''}` });
});

test.afterAll(async () => {
  if (gate) rmSync(gate, { force: true });
  await stack?.stop();
  temp?.cleanup();
});

test('a terminal opens by itself once a session opened while creating is ready, and `exit` is told apart from a worker restart', async ({
  page,
}) => {
  const errors = watchPageErrors(page);
  await page.setViewportSize(DESKTOP);
  await page.goto(`${stack.webUrl}/auth/local?token=${TEST_ACCESS_TOKEN}`);
  await expect(page).toHaveURL(`${stack.webUrl}/`);
  const pane = page.locator('[data-pane="terminal"]');
  const tabs = page.getByRole('tab', { name: /^Terminal \d+$/ });
  const terminalRequests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/terminal/config')
      terminalRequests.push(request.url());
  });
  let sessionId = '';

  await test.step('the IDE of a session still being created waits for it, without an error', async () => {
    writeFileSync(gate, '');
    const created = page.request.post(`${stack.webUrl}/api/workspace/session/create`, {
      data: { repo },
      timeout: 120_000,
    });
    await expect
      .poll(async () => {
        const listed = await page.request.get(`${stack.webUrl}/api/workspace/sessions`);
        const { sessions } = (await listed.json()) as {
          sessions: { id: string; status: string }[];
        };
        sessionId = sessions.find((s) => s.status === 'creating')?.id ?? '';
        return sessionId;
      })
      .not.toBe('');
    await page.goto(`${stack.webUrl}/sessions/${sessionId}`);
    await expect(page.locator('.ide-title .status')).toHaveText('creating');
    await expect(pane.getByRole('status')).toHaveText(
      'The terminal opens once the session is ready.',
    );
    // So do the other panes that read the worktree.
    await expect(page.locator('[data-pane="files"]').getByRole('status')).toHaveText(
      'The files show once the session is ready.',
    );
    await expect(page.locator('[data-pane="changes"] .pane-waiting')).toHaveText(
      'Changes show once the session is ready.',
    );
    // Long enough for a pane that did not wait to have asked for a terminal and failed.
    await page.waitForTimeout(2_000);
    await expect(pane.getByRole('alert')).toHaveCount(0);
    await expect(pane.getByRole('button', { name: 'Open a terminal' })).toHaveCount(0);
    expect(terminalRequests).toEqual([]);

    rmSync(gate);
    expect((await created).status()).toBe(201);
  });

  await test.step('once the session is ready Terminal 1 opens by itself, once', async () => {
    await expect(page.locator('.ide-title .status')).toHaveCount(0);
    await expect(page.locator('[role="treeitem"][data-path="README.md"]')).toBeVisible();
    await expect(tabs).toHaveText(['Terminal 1']);
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/[$#]\s*$/m);
    await expect(pane.getByRole('alert')).toHaveCount(0);
    await pane.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('echo "ready-$((20+1))"\n');
    await expectTerminalToContain(page, 'ready-21');
    // One terminal asked for: no second shell from a repeated load.
    expect(terminalRequests).toHaveLength(1);
    await expect(tabs).toHaveCount(1);
  });

  await test.step('after `exit` and a reload the new shell says the old one exited', async () => {
    await page.keyboard.type('exit\n');
    await expect(pane.getByText('Shell exited with code 0.')).toBeVisible();
    await page.reload();
    await expectTerminalToContain(page, 'previous shell exited with code 0; this is a new shell');
    expect(await terminalText(page)).not.toContain('worker restarted');
    await expectTerminalToContain(page, 'ready-21');
    await expect(tabs).toHaveText(['Terminal 1']);
  });

  // No pane asked for what the session did not have yet (the worker's 409s, which the browser
  // logs as errors).
  expect(errors).toEqual([]);
});

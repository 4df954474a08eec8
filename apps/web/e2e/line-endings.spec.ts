import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createSourceRepo, makeTempDir } from '@grove/testkit';
import { expect, test, type Dialog, type Page } from '@playwright/test';

import { TEST_ACCESS_TOKEN, WORKER_ENTRY, type Stack } from '../src/testing/stack';

import { DESKTOP, startBrowserStack, watchPageErrors } from './helpers';

/**
 * The editor keeps a file's line endings and BOM: an edit of one line of a CRLF file with a
 * BOM changes that line on disk and nothing else, through a save, the check for changes on
 * disk, and a draft restored after a reload.
 */
let stack: Stack;
let temp: ReturnType<typeof makeTempDir>;
let repo: string;

test.beforeAll(async () => {
  expect(existsSync(WORKER_ENTRY), 'build the worker first').toBe(true);
  temp = makeTempDir('grove-e2e-eol-');
  repo = createSourceRepo(path.join(temp.dir, 'origin'), { files: 1 });
  stack = await startBrowserStack();
});

test.afterAll(async () => {
  await stack?.stop();
  temp?.cleanup();
});

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

test('a CRLF file with a BOM: an edit and a save change the edited line only', async ({ page }) => {
  const errors = watchPageErrors(page);
  await page.setViewportSize(DESKTOP);
  await page.goto(`${stack.webUrl}/auth/local?token=${TEST_ACCESS_TOKEN}`);
  await expect(page).toHaveURL(`${stack.webUrl}/`);
  const created = await page.request.post(`${stack.webUrl}/api/workspace/session/create`, {
    data: { repo },
  });
  expect(created.status()).toBe(201);
  const sessionId = ((await created.json()) as { session: { id: string } }).session.id;
  const worktree = path.join(stack.dataDir, 'worktrees', sessionId);
  const file = path.join(worktree, 'crlf-bom.txt');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'core.autocrlf=false', ...args], {
      cwd: worktree,
      encoding: 'utf8',
    });
  // Committed as they are, so `git diff` shows what a save changed.
  writeFileSync(file, Buffer.concat([BOM, Buffer.from('one\r\ntwo\r\nthree\r\n')]));
  writeFileSync(path.join(worktree, 'crlf.txt'), 'one\r\ntwo\r\nthree\r\n');
  git('add', 'crlf-bom.txt', 'crlf.txt');
  git('-c', 'user.name=e2e', '-c', 'user.email=e2e@grove.test', 'commit', '-q', '-m', 'eol');

  const editor = page.locator('[data-testid="code-editor"] .cm-content');
  const lines = page.locator('[data-testid="code-editor"] .cm-line');
  const save = page.getByRole('button', { name: 'Save', exact: true });
  const endings = page.getByTestId('line-endings');
  /** Types `text` at the end of line `n` (from 1). */
  const typeAtEndOf = async (n: number, text: string) => {
    await lines.nth(n - 1).click();
    await page.keyboard.press('End');
    await page.keyboard.type(text);
  };
  const onDisk = () => readFileSync(file);
  const expectOnDisk = (text: string) =>
    expect(onDisk().toString('latin1')).toBe(
      Buffer.concat([BOM, Buffer.from(text)]).toString('latin1'),
    );

  await test.step('an LF file says LF', async () => {
    await page.goto(`${stack.webUrl}/sessions/${sessionId}?file=README.md`);
    await expect(editor).toContainText('#');
    await expect(endings).toHaveText('LF');
  });

  await test.step('an edit of line 2 and Ctrl+S: line 2 changes, the BOM and the CRs stay', async () => {
    await page.goto(`${stack.webUrl}/sessions/${sessionId}?file=crlf-bom.txt`);
    await expect(editor).toContainText('three');
    await expect(endings).toHaveText('CRLF · BOM');
    // No stray character for the BOM, no extra lines for the CRs.
    await expect(lines).toHaveText(['one', 'two', 'three', '']);
    await typeAtEndOf(2, '!');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(page.getByText(/^Saved 21 bytes$/)).toBeVisible();
    expectOnDisk('one\r\ntwo!\r\nthree\r\n');
    expect(git('diff', '--numstat', '--', 'crlf-bom.txt')).toBe('1\t1\tcrlf-bom.txt\n');
    await expect(save).toBeDisabled();
  });

  await test.step('the next read of the file does not call its own save a change on disk', async () => {
    const read = waitForRead(page, 'crlf-bom.txt');
    // Coming back to the tab reads the open file at once.
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await read;
    await expect(page.getByText(/^Saved 21 bytes$/)).toBeVisible();
    await expect(page.getByText(/changed on disk/)).toHaveCount(0);
    await expect(save).toBeDisabled();
  });

  await test.step('a change on disk is shown, and saved back with CRLF and the BOM', async () => {
    appendFileSync(file, 'four\r\n');
    const read = waitForRead(page, 'crlf-bom.txt');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await read;
    await expect(
      page.getByText('crlf-bom.txt changed on disk: showing the new version.'),
    ).toBeVisible();
    await expect(lines).toHaveText(['one', 'two!', 'three', 'four', '']);
    await expect(save).toBeDisabled();
    await typeAtEndOf(4, '?');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(page.getByText(/^Saved \d+ bytes$/)).toBeVisible();
    expectOnDisk('one\r\ntwo!\r\nthree\r\nfour?\r\n');
  });

  await test.step('a draft keeps the file as it would be saved, and restores after a reload', async () => {
    await typeAtEndOf(3, '.');
    await page.keyboard.press('Enter');
    await page.keyboard.type('new');
    const draftKey = `grove:draft:${sessionId}:crlf-bom.txt`;
    await expect
      .poll(async () => {
        const raw = await page.evaluate((key) => localStorage.getItem(key), draftKey);
        return raw && (JSON.parse(raw) as { content: string }).content;
      })
      .toBe('\uFEFFone\r\ntwo!\r\nthree.\r\nnew\r\nfour?\r\n');
    const leave = (dialog: Dialog) => void dialog.accept();
    page.on('dialog', leave);
    await page.reload();
    page.off('dialog', leave);
    await expect(page.getByText(/^Restored your unsaved edits from \d+s ago\.$/)).toBeVisible();
    await expect(lines).toHaveText(['one', 'two!', 'three.', 'new', 'four?', '']);
    await expect(endings).toHaveText('CRLF · BOM');
    await save.click();
    await expect(page.getByText(/^Saved \d+ bytes$/)).toBeVisible();
    expectOnDisk('one\r\ntwo!\r\nthree.\r\nnew\r\nfour?\r\n');
    expect(await page.evaluate((key) => localStorage.getItem(key), draftKey)).toBeNull();
  });

  await test.step('the CRLF file of the report: git diff shows one line changed', async () => {
    await page.goto(`${stack.webUrl}/sessions/${sessionId}?file=crlf.txt`);
    await expect(editor).toContainText('three');
    await expect(endings).toHaveText('CRLF');
    await typeAtEndOf(2, 'x');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(page.getByText(/^Saved \d+ bytes$/)).toBeVisible();
    expect(readFileSync(path.join(worktree, 'crlf.txt'), 'utf8')).toBe('one\r\ntwox\r\nthree\r\n');
    expect(git('diff', '--numstat', '--', 'crlf.txt')).toBe('1\t1\tcrlf.txt\n');
  });

  await test.step('a mixed file is saved in its majority ending, and mixed no more', async () => {
    writeFileSync(path.join(worktree, 'mixed.txt'), 'a\r\nb\nc\r\nd\n');
    await page.goto(`${stack.webUrl}/sessions/${sessionId}?file=mixed.txt`);
    await expect(editor).toContainText('d');
    await expect(endings).toHaveText('LF (mixed)');
    await typeAtEndOf(2, '!');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(page.getByText(/^Saved \d+ bytes$/)).toBeVisible();
    expect(readFileSync(path.join(worktree, 'mixed.txt'), 'utf8')).toBe('a\nb!\nc\nd\n');
    await expect(endings).toHaveText('LF');
  });

  expect(errors).toEqual([]);
});

/** The editor's next GET of `file` (a check for changes on disk). */
function waitForRead(page: Page, file: string) {
  return page.waitForResponse(
    (response) =>
      response.request().method() === 'GET' &&
      response.url().includes(`/file?path=${encodeURIComponent(file)}`),
  );
}

import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

import {
  createSourceRepo,
  makeTempDir,
  startAnthropicStandIn,
  type AnthropicStandIn,
} from '@grove/testkit';
import { expect, test, type Dialog, type Page } from '@playwright/test';

import { TEST_ACCESS_TOKEN, WORKER_ENTRY, type Stack } from '../src/testing/stack';

import {
  DESKTOP,
  expectTerminalToContain,
  PHONE,
  screenshot,
  startBrowserStack,
  terminalOverflow,
  terminalText,
  watchPageErrors,
} from './helpers';

let stack: Stack;
let standIn: AnthropicStandIn;
let temp: ReturnType<typeof makeTempDir>;
let repo: string;

test.beforeAll(async () => {
  expect(existsSync(WORKER_ENTRY), 'build the worker first').toBe(true);
  temp = makeTempDir('grove-e2e-');
  repo = createSourceRepo(path.join(temp.dir, 'origin'));
  const home = path.join(temp.dir, 'home');
  mkdirSync(home);
  standIn = await startAnthropicStandIn();
  stack = await startBrowserStack({
    ANTHROPIC_API_KEY: 'sk-ant-e2e',
    ANTHROPIC_BASE_URL: standIn.url,
    GROVE_TERMINAL_HOME: home,
  });
});

test.afterAll(async () => {
  await stack?.stop();
  await standIn?.close();
  temp?.cleanup();
});

test('local sign-in, session from a local repo, terminal, chat, diff and commit in the browser', async ({
  page,
  browser,
}) => {
  const errors = watchPageErrors(page);
  await page.setViewportSize(DESKTOP);
  let sessionId = '';
  let worktree = '';

  await test.step('a wrong token at the sign-in form says so on the form', async () => {
    await page.goto(`${stack.webUrl}/sign-in?next=%2Fworkers`);
    await page.getByLabel('Access token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${stack.webUrl}/sign-in?error=wrong_token&next=%2Fworkers`);
    await expect(page.locator('form [role="alert"]')).toContainText('Wrong access token');
    await expect(page).toHaveTitle('Sign in · Grove');
    await expect(page.getByLabel('Access token')).toBeFocused();
    await screenshot(page, 'sign-in-wrong-token');
    // A 303, not an error status: nothing for the browser to log.
    expect(errors.splice(0)).toEqual([]);
  });

  await test.step('local sign-in lands on the sessions page', async () => {
    await page.goto(`${stack.webUrl}/auth/local?token=${TEST_ACCESS_TOKEN}`);
    await expect(page).toHaveURL(`${stack.webUrl}/`);
    await expect(page.getByRole('heading', { name: 'New session' })).toBeVisible();
    await expect(page.getByText('No sessions yet.')).toBeVisible();
    await expect(page).toHaveTitle('Sessions · Grove');
    // No GitHub token yet: the picker points to where one is connected.
    await expect(page.getByRole('link', { name: 'Connect GitHub in Settings' })).toHaveAttribute(
      'href',
      '/settings',
    );
  });

  await test.step('create a session from a local repository', async () => {
    await page.getByLabel('Repository, path or URL').fill(repo);
    await page.getByRole('button', { name: 'Create session' }).click();
    // Create opens the new session's IDE...
    await expect(page).toHaveURL(/\/sessions\/[a-z0-9]+$/, { timeout: 60_000 });
    sessionId = new URL(page.url()).pathname.split('/').at(-1)!;
    worktree = path.join(stack.dataDir, 'worktrees', sessionId);
    // ...and the home page lists it.
    await page.goto(`${stack.webUrl}/`);
    const row = page.locator(`tr[data-session-id="${sessionId}"]`);
    await expect(row.locator('.status')).toHaveText(/active|connected/);
    await screenshot(page, 'home-desktop');
    await row.getByRole('link').click();
    await expect(page).toHaveURL(`${stack.webUrl}/sessions/${sessionId}`);
    // The tab names the session as its header does: no name given, so its repository.
    await expect(page).toHaveTitle(`${repo} · Grove`);
  });

  await test.step('a command typed in the terminal runs in the worktree', async () => {
    // The shell's prompt ($ or #, whatever the machine's bashrc makes of it) is up.
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/[$#]\s*$/m);
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('echo "grove-$((6*7))" && pwd\n');
    await expectTerminalToContain(page, 'grove-42');
    await expectTerminalToContain(page, worktree);
    // What a command writes shows up in the file tree without a Refresh, and goes again.
    await page.keyboard.type('echo made > from-terminal.txt\n');
    await expect(page.locator('[data-path="from-terminal.txt"]')).toBeVisible({ timeout: 10_000 });
    await page.keyboard.type('rm from-terminal.txt\n');
    await expect(page.locator('[data-path="from-terminal.txt"]')).toHaveCount(0, {
      timeout: 10_000,
    });
  });

  await test.step('after a reload the scrollback is still there', async () => {
    // A query in the output (vim asks the terminal what it is): answered now, and read.
    await page.keyboard.type("printf '\\033[c'; read -rs -t 2 -d c; echo query-answered\n");
    await expectTerminalToContain(page, 'query-answered');
    await page.reload();
    await expectTerminalToContain(page, 'grove-42');
    // The replay of that query is not answered again into the shell: a command typed now runs
    // as typed (the answer would sit before it on the line, and bash would not find it).
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('echo "after-reload-$((1+1))"\n');
    await expect.poll(() => terminalText(page)).toMatch(/^after-reload-2\s*$/m);
    // One terminal tab: the reload reattached to the same terminal instead of opening another.
    await expect(page.getByRole('tab', { name: /^Terminal/ })).toHaveCount(1);
    const text = await terminalText(page);
    expect(text.split('grove-42').length - 1).toBeGreaterThanOrEqual(1);
  });

  await test.step('terminal tabs: named for good, five at most, and a bar that scrolls', async () => {
    // A narrow desktop: five tabs are more than the terminal's bar holds.
    await page.setViewportSize({ width: 1024, height: 768 });
    const tabs = page.getByRole('tab', { name: /^Terminal \d+$/ });
    const newTerminal = page.getByRole('button', { name: '+ New' });
    const shownTerminal = page.locator('.terminal-view:not([hidden]) [data-testid="terminal"]');
    await expect(tabs).toHaveText(['Terminal 1']);
    for (const n of [2, 3, 4, 5]) {
      await newTerminal.click();
      await expect(page.getByRole('tab', { name: `Terminal ${n}` })).toHaveAttribute(
        'aria-selected',
        'true',
      );
    }
    // The bar scrolls: "+ New" stays whole, on one line, beside it; the new tab is in view.
    const bar = await page.locator('[data-pane="terminal"] .pane-head').evaluate((head) => {
      const list = head.querySelector('.term-tabs')!.getBoundingClientRect();
      const button = [...head.querySelectorAll('button')].find((b) => b.textContent === '+ New')!;
      const text = document.createRange();
      text.selectNodeContents(button);
      const plus = button.getBoundingClientRect();
      const shown = head.querySelector('[aria-selected="true"]')!.parentElement!;
      const tab = shown.getBoundingClientRect();
      return {
        scrolls: head.querySelector('.term-tabs')!.scrollWidth > list.width,
        buttonLines: text.getClientRects().length,
        buttonInside: plus.left >= list.right && plus.right <= head.getBoundingClientRect().right,
        shownInView: tab.left >= list.left - 0.5 && tab.right <= list.right + 0.5,
      };
    });
    expect(bar).toEqual({ scrolls: true, buttonLines: 1, buttonInside: true, shownInView: true });
    await screenshot(page, 'terminal-tabs-overflow');

    // A sixth is refused, said so, and leaves no tab behind to retry.
    await newTerminal.click();
    await expect(page.locator('[data-pane="terminal"] [role="alert"]')).toContainText(
      'At most 5 live terminals',
    );
    await expect(tabs).toHaveCount(5);
    await expect(page.getByText(/reconnecting in/)).toHaveCount(0);
    expect(errors.splice(0)).toEqual([expect.stringContaining('429 (Too Many Requests)')]);

    // Names stay with their shells: after Terminal 2 closes, and after a reload.
    await page.getByRole('tab', { name: 'Terminal 3' }).click();
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/[$#]\s*$/m);
    await shownTerminal.click();
    await page.keyboard.type('echo "third-$((1+2))"\n');
    await expectTerminalToContain(page, 'third-3');
    const leave = (dialog: Dialog) => void dialog.accept();
    page.on('dialog', leave);
    await page.getByRole('button', { name: 'Close terminal 2' }).click();
    await expect(tabs).toHaveText(['Terminal 1', 'Terminal 3', 'Terminal 4', 'Terminal 5']);
    await expect(page.getByRole('tab', { name: 'Terminal 3' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    await expectTerminalToContain(page, 'third-3');
    // A new one takes a new number: 2 was another shell.
    await newTerminal.click();
    const named = ['Terminal 1', 'Terminal 3', 'Terminal 4', 'Terminal 5', 'Terminal 6'];
    await expect(tabs).toHaveText(named);
    await page.reload();
    await expect(tabs).toHaveText(named);
    await page.getByRole('tab', { name: 'Terminal 3' }).click();
    await expectTerminalToContain(page, 'third-3');
    // Back to the one terminal the rest of the test uses.
    for (const n of [3, 4, 5, 6])
      await page.getByRole('button', { name: `Close terminal ${n}` }).click();
    await expect(tabs).toHaveText(['Terminal 1']);
    page.off('dialog', leave);
    await expectTerminalToContain(page, 'grove-42');
    await page.setViewportSize(DESKTOP);
  });

  await test.step('the file tree opens a file in the editor, and saving writes it', async () => {
    await page.locator('[data-path="README.md"]').click();
    const editor = page.locator('[data-testid="code-editor"] .cm-content');
    await expect(editor).toContainText('#');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nEdited in the browser.');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(page.getByText(/^Saved \d+ bytes$/)).toBeVisible();
    expect(readFileSync(path.join(worktree, 'README.md'), 'utf8')).toContain(
      'Edited in the browser.',
    );
    // Nothing left to save until the next edit.
    const save = page.getByRole('button', { name: 'Save', exact: true });
    await expect(save).toBeDisabled();
    await page.keyboard.type(' ');
    await expect(save).toBeEnabled();
    await page.keyboard.press('Backspace');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(save).toBeDisabled();

    // The file changes on disk meanwhile (the terminal, the agent): the save is refused and
    // their change is kept.
    const readme = path.join(worktree, 'README.md');
    appendFileSync(readme, 'Appended outside the editor.\n');
    await page.keyboard.type('\nA line of mine.');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(page.getByText(/changed on disk after it was opened/)).toBeVisible();
    // The refused save is the one failed request so far (the browser logs it).
    expect(errors.splice(0)).toEqual([expect.stringContaining('409 (Conflict)')]);
    expect(readFileSync(readme, 'utf8')).toContain('Appended outside the editor.');
    expect(readFileSync(readme, 'utf8')).not.toContain('A line of mine.');
    // Opening another file with unsaved edits asks first; declined, the edits stay.
    await page.locator('[data-path="src"]').click();
    await page.locator('[data-path="src/d0"]').click();
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (dialog) => {
        resolve(dialog.message());
        void dialog.dismiss();
      }),
    );
    await page.locator('[data-path="src/d0/f0.txt"]').click();
    expect(await asked).toContain('unsaved changes');
    await expect(editor).toContainText('A line of mine.');
    // So does leaving through an in-app link; declined, the page stays.
    const leaving = new Promise<string>((resolve) =>
      page.once('dialog', (dialog) => {
        resolve(dialog.message());
        void dialog.dismiss();
      }),
    );
    await page.getByRole('link', { name: 'Grove', exact: true }).first().click();
    expect(await leaving).toContain('Leave and discard');
    await expect(page).toHaveURL(`${stack.webUrl}/sessions/${sessionId}?file=README.md`);
    await expect(editor).toContainText('A line of mine.');
    // Reload from disk: their line, not mine, and nothing left to save.
    await page.getByRole('button', { name: /Reload from disk/ }).click();
    await expect(editor).toContainText('Appended outside the editor.');
    await expect(editor).not.toContainText('A line of mine.');
    await expect(save).toBeDisabled();
    await screenshot(page, 'session-desktop-editor-terminal-chat');
  });

  await test.step('unsaved edits survive a reload and Back, and come back with the file', async () => {
    const editor = page.locator('[data-testid="code-editor"] .cm-content');
    const save = page.getByRole('button', { name: 'Save', exact: true });
    const readme = path.join(worktree, 'README.md');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nA draft line.');
    const draftKey = `grove:draft:${sessionId}:README.md`;
    await expect
      .poll(() => page.evaluate((key) => localStorage.getItem(key), draftKey))
      .toContain('A draft line.');
    // The tree marks the file that has unsaved edits.
    await expect(page.locator('[data-path="README.md"]')).toContainText('unsaved edits');
    // The browser asks before it unloads a page with unsaved edits; the user leaves anyway.
    const leave = (dialog: Dialog) => void dialog.accept();
    page.on('dialog', leave);
    // A reload: the address kept the open file, and the file comes back with the edits.
    await page.reload();
    await expect(editor).toContainText('A draft line.');
    await expect(page.getByText(/^Restored your unsaved edits from \d+s ago\.$/)).toBeVisible();
    await expect(save).toBeEnabled();
    // Back, the file changes on disk meanwhile, Forward: the edits are there (restored, or the
    // page itself kept), and the change on disk is a conflict to settle, not overwritten.
    await page.goBack();
    await expect(page).toHaveURL(`${stack.webUrl}/`);
    appendFileSync(readme, 'Changed while away.\n');
    await page.goForward();
    page.off('dialog', leave);
    await expect(editor).toContainText('A draft line.');
    await save.click();
    await expect(page.getByText(/changed on disk (after it was opened|since)/)).toBeVisible();
    expect(errors.splice(0)).toEqual([expect.stringContaining('409 (Conflict)')]);
    expect(readFileSync(readme, 'utf8')).not.toContain('A draft line.');
    await page.getByRole('button', { name: 'Overwrite with mine' }).click();
    await expect(page.getByText(/^Saved \d+ bytes$/)).toBeVisible();
    expect(readFileSync(readme, 'utf8')).toContain('A draft line.');
    // Saved: the draft is gone, and a reload opens the file as it is on disk.
    expect(await page.evaluate((key) => localStorage.getItem(key), draftKey)).toBeNull();
    await expect(page.locator('[data-path="README.md"]')).not.toContainText('unsaved edits');
    await page.reload();
    await expect(editor).toContainText('A draft line.');
    await expect(page.getByText(/Restored your unsaved edits/)).toHaveCount(0);
    await expect(save).toBeDisabled();
  });

  await test.step('a command that changes the open file: shown at once, or flagged over edits', async () => {
    const editor = page.locator('[data-testid="code-editor"] .cm-content');
    await expect(editor).toContainText('A draft line.');
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('echo "Appended by a command." >> README.md\n');
    await expect(editor).toContainText('Appended by a command.', { timeout: 10_000 });
    await expect(
      page.getByText('README.md changed on disk: showing the new version.'),
    ).toBeVisible();
    await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeDisabled();
    // With edits of mine, the change is flagged now, not at Save, and nothing is replaced.
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nMine, unsaved.');
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('echo "Appended again." >> README.md\n');
    await expect(page.getByText(/README\.md changed on disk since it was opened here/)).toBeVisible(
      {
        timeout: 10_000,
      },
    );
    await expect(editor).toContainText('Mine, unsaved.');
    await expect(editor).not.toContainText('Appended again.');
    await page.getByRole('button', { name: /Reload from disk/ }).click();
    await expect(editor).toContainText('Appended again.');
    await expect(editor).not.toContainText('Mine, unsaved.');
    // A change from outside Grove altogether shows up too (the open file is read every 5 s).
    const readme = path.join(worktree, 'README.md');
    appendFileSync(readme, 'Appended outside Grove.\n');
    await expect(editor).toContainText('Appended outside Grove.', { timeout: 12_000 });

    // Deleted with nothing unsaved: said at the next read (coming back to the tab reads at
    // once), and it can be written again.
    const content = readFileSync(readme, 'utf8');
    rmSync(readme);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect(page.getByText('README.md was deleted on disk.', { exact: false })).toBeVisible();
    await page.getByRole('button', { name: 'Write it again' }).click();
    await expect(page.getByText(/^Saved \d+ bytes$/)).toBeVisible();
    expect(readFileSync(readme, 'utf8')).toBe(content);
    // The read that found it gone (and perhaps the 5 s check) logged a 404.
    for (const line of errors.splice(0))
      expect(line).toMatch(/404 \(Not Found\).*file\?path=README\.md/);

    // Edits of a file deleted meanwhile are not lost: they come back, and can write it again.
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nKept after a delete.');
    await expect
      .poll(() =>
        page.evaluate((key) => localStorage.getItem(key), `grove:draft:${sessionId}:README.md`),
      )
      .toContain('Kept after a delete.');
    const before = readFileSync(readme, 'utf8');
    rmSync(readme);
    const leave = (dialog: Dialog) => void dialog.accept();
    page.on('dialog', leave);
    await page.reload();
    page.off('dialog', leave);
    await expect(page.getByText(/README\.md was deleted on disk since/)).toBeVisible();
    // The browser logs the file's 404 (once, or twice if the 5 s check came first).
    const missing = errors.splice(0);
    expect(missing.length).toBeGreaterThan(0);
    for (const line of missing) expect(line).toMatch(/404 \(Not Found\).*file\?path=README\.md/);
    await expect(editor).toContainText('Kept after a delete.');
    await page.getByRole('button', { name: 'Overwrite with mine' }).click();
    await expect(page.getByText(/^Saved \d+ bytes$/)).toBeVisible();
    expect(readFileSync(readme, 'utf8')).toBe(`${before}\nKept after a delete.`);
  });

  await test.step('the file tree creates, renames and deletes a file, by keyboard too', async () => {
    const tree = page.getByRole('tree', { name: 'Worktree files' });
    const row = (p: string) => tree.locator(`[role="treeitem"][data-path="${p}"]`);
    await row('README.md').click();
    await page.getByRole('button', { name: 'New file' }).click();
    await page.getByRole('textbox', { name: 'New file name at the top' }).fill('notes.md');
    await page.keyboard.press('Enter');
    // Made empty, shown, focused and open in the editor.
    await expect(row('notes.md')).toBeFocused();
    await expect(page).toHaveURL(/\?file=notes\.md$/);
    expect(readFileSync(path.join(worktree, 'notes.md'), 'utf8')).toBe('');
    // One Tab stop; the arrows move it. F2 renames; Escape keeps the name, Enter commits.
    await page.keyboard.press('ArrowDown');
    await expect(row('README.md')).toBeFocused();
    await expect(row('README.md')).toHaveAttribute('tabindex', '0');
    await expect(row('notes.md')).toHaveAttribute('tabindex', '-1');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('F2');
    await page.keyboard.type('discarded');
    await page.keyboard.press('Escape');
    await expect(row('notes.md')).toBeFocused();
    await page.keyboard.press('F2');
    await page.getByRole('textbox', { name: 'Rename notes.md' }).fill('renamed.md');
    await page.keyboard.press('Enter');
    await expect(row('renamed.md')).toBeFocused();
    await expect(row('notes.md')).toHaveCount(0);
    // The editor follows the file to its new name.
    await expect(page).toHaveURL(/\?file=renamed\.md$/);
    await expect(page.getByText('Renamed from notes.md.')).toBeVisible();
    expect(existsSync(path.join(worktree, 'notes.md'))).toBe(false);
    expect(existsSync(path.join(worktree, 'renamed.md'))).toBe(true);
    // Delete asks first, naming the path; the editor then says the file is gone.
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (dialog) => {
        resolve(dialog.message());
        void dialog.accept();
      }),
    );
    await page.keyboard.press('Delete');
    expect(await asked).toBe('Delete renamed.md?');
    await expect(row('renamed.md')).toHaveCount(0);
    expect(existsSync(path.join(worktree, 'renamed.md'))).toBe(false);
    await expect(page.getByText('renamed.md was deleted on disk.', { exact: false })).toBeVisible();
    for (const line of errors.splice(0))
      expect(line).toMatch(/404 \(Not Found\).*file\?path=renamed\.md/);
    // The focus went to a neighbour; Enter opens README.md again for the steps that follow.
    await expect(row('README.md')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\?file=README\.md$/);
  });

  await test.step('a folder of more than 5,000 entries: its folders shown, and a note of the rest', async () => {
    const tree = page.getByRole('tree', { name: 'Worktree files' });
    const row = (p: string) => tree.locator(`[role="treeitem"][data-path="${p}"]`);
    const many = path.join(worktree, 'many');
    mkdirSync(path.join(many, 'zzzz-last'), { recursive: true });
    for (let i = 0; i <= 5000; i++)
      writeFileSync(path.join(many, `f-${String(i).padStart(4, '0')}.txt`), '');
    await page.locator('.file-tree').getByRole('button', { name: 'Refresh' }).click();
    await row('many').click();
    await expect(row('many')).toHaveAttribute('aria-expanded', 'true');
    // The folder is kept whatever order the disk lists names in; the last files are not shown.
    await expect(row('many/zzzz-last')).toBeVisible();
    await expect(row('many/f-4998.txt')).toHaveCount(1);
    await expect(row('many/f-4999.txt')).toHaveCount(0);
    const note = '5,000 of 5,002 entries shown — use the terminal to see the rest';
    await expect(tree.getByText(note)).toBeVisible();
    // Right under the folder, and read out with it.
    await expect(row('many').locator('xpath=following-sibling::li[1]')).toHaveText(note);
    await expect(row('many')).toHaveAccessibleDescription(note);
    await screenshot(page, 'file-tree-cut');
    await row('many').click();
    rmSync(many, { recursive: true });
    await page.locator('.file-tree').getByRole('button', { name: 'Refresh' }).click();
    await expect(row('many')).toHaveCount(0);
    await expect(tree.getByText(note)).toHaveCount(0);
  });

  await test.step('chat with the agent: its file appears in the tree and in the diff', async () => {
    standIn.script(
      {
        blocks: [
          { type: 'text', text: 'I will write **agent-notes.md** now.', chunks: 4 },
          {
            type: 'tool_use',
            name: 'Write',
            input: {
              file_path: path.join(worktree, 'agent-notes.md'),
              content: 'written by the agent\n',
            },
          },
        ],
      },
      { blocks: [{ type: 'text', text: 'Done: `agent-notes.md` is written.' }] },
    );
    await page.getByLabel('Message to the agent').fill('Please write agent-notes.md');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('li.msg.assistant').last();
    await expect(answer).toHaveAttribute('data-run-status', 'completed', { timeout: 90_000 });
    await expect(answer.locator('.markdown strong')).toHaveText('agent-notes.md');
    await expect(answer.locator('details.tool-call')).toContainText('Write');
    await expect(answer.getByTestId('run-cost')).toContainText('$');
    expect(readFileSync(path.join(worktree, 'agent-notes.md'), 'utf8')).toBe(
      'written by the agent\n',
    );
    await expect(page.locator('[data-path="agent-notes.md"]')).toBeVisible();
    await screenshot(page, 'session-desktop-chat');

    await page.getByRole('tab', { name: 'Changes' }).first().click();
    const fileDiff = page.locator('[data-diff-path="agent-notes.md"]');
    await expect(fileDiff).toContainText('written by the agent');
    await expect(page.locator('[data-diff-path="README.md"]')).toContainText(
      'Edited in the browser.',
    );
    await screenshot(page, 'session-desktop-changes');
  });

  await test.step('the chat history is there after a reload', async () => {
    await page.reload();
    await expect(page.locator('li.msg.user')).toContainText('Please write agent-notes.md');
    await expect(page.locator('li.msg.assistant').last()).toContainText('is written');
  });

  await test.step('a run started in another tab: a message here is refused, and the run followed', async () => {
    const other = await page.context().newPage();
    await other.goto(page.url());
    await expect(other.locator('li.msg.assistant').last()).toContainText('is written');
    standIn.script({
      blocks: [{ type: 'text', text: 'Answer to the other tab.', chunks: 6 }],
      delayMs: 400,
    });
    await page.getByLabel('Message to the agent').fill('Started in the first tab');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('li.msg.assistant').last()).toHaveAttribute(
      'data-run-status',
      'running',
    );
    await other.getByLabel('Message to the agent').fill('And one from here');
    await other.getByRole('button', { name: 'Send' }).click();
    await expect(other.getByText(/already in progress/)).toBeVisible();
    await expect(other.getByLabel('Message to the agent')).toHaveValue('And one from here');
    // It shows the other tab's message and follows its answer to the end.
    await expect(other.locator('li.msg.user').last()).toContainText('Started in the first tab');
    const answer = other.locator('li.msg.assistant').last();
    await expect(answer).toHaveAttribute('data-run-status', 'completed', { timeout: 30_000 });
    await expect(answer.locator('.markdown')).toHaveText('Answer to the other tab.');
    await expect(page.locator('li.msg.assistant').last()).toHaveAttribute(
      'data-run-status',
      'completed',
    );
    await other.close();
  });

  await test.step('a reload during a run shows the run still going, then all of it once', async () => {
    // The stand-in holds the answer after a few words until released below, so the run is still
    // going after the reload however slow the page is.
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    standIn.script({
      blocks: [{ type: 'text', text: words, chunks: 20 }],
      delayMs: 100,
      hold: { afterChunks: 4, until: held },
    });
    await page.getByRole('tab', { name: 'Chat' }).first().click();
    await page.getByLabel('Message to the agent').fill('Say twenty words slowly');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('li.msg.assistant').last()).toContainText('w1', { timeout: 60_000 });
    await page.reload();
    const answer = page.locator('li.msg.assistant').last();
    await expect(answer).toHaveAttribute('data-run-status', 'running');
    await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
    // Ctrl+Enter keeps the Send button's rule: nothing is sent while the run goes (the worker
    // would refuse it), and the run is still followed to its end.
    const input = page.getByLabel('Message to the agent');
    await input.fill('One more thing');
    await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
    await input.press('ControlOrMeta+Enter');
    release();
    await expect(answer).toHaveAttribute('data-run-status', 'completed', { timeout: 60_000 });
    await expect(answer.locator('.markdown')).toHaveText(words);
    await expect(page.locator('li.msg.user', { hasText: 'One more thing' })).toHaveCount(0);
    await expect(input).toHaveValue('One more thing');
    expect(errors.filter((line) => line.includes('409'))).toEqual([]);
    await input.fill('');
  });

  await test.step('commit from the changes panel', async () => {
    // A file too large for the whole diff: shown cut, with a way to load all of it.
    writeFileSync(
      path.join(worktree, 'big.txt'),
      Array.from({ length: 20_000 }, (_, i) => `line ${i + 1}\n`).join(''),
    );
    // Coming back to the window looks at the worktree again.
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.getByRole('tab', { name: 'Changes' }).first().click();
    const big = page.locator('[data-diff-path="big.txt"]');
    await expect(big.locator('.diff-cut')).toContainText('is cut here');
    await expect(big).not.toContainText('line 20000');
    await big.getByRole('button', { name: 'Show all of it' }).click();
    await expect(big).toContainText('line 20000');
    await expect(big.locator('.diff-cut')).toHaveCount(0);
    rmSync(path.join(worktree, 'big.txt'));
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect(big).toHaveCount(0);
    await page.getByLabel('Commit message').fill('Agent notes from the e2e test');
    await page.getByRole('button', { name: 'Commit all' }).click();
    await expect(page.getByText(/^Committed [0-9a-f]{8}: Agent notes/)).toBeVisible();
    const log = execFileSync('git', ['log', '-1', '--format=%s'], {
      cwd: worktree,
      encoding: 'utf8',
    });
    expect(log.trim()).toBe('Agent notes from the e2e test');
    await expect(page.getByRole('list', { name: 'Changed files' })).toHaveCount(0);
    await expect(page.getByText('Nothing to commit: the worktree has no changes.')).toBeVisible();
    // A session on a folder of the worker: no pull request form that could only fail.
    await expect(page.getByText(/Pull requests need a repository on GitHub/)).toBeVisible();
    await expect(page.getByText('Open a pull request')).toHaveCount(0);
  });

  await test.step('the keyboard: tab lists, Tab in the editor, and a way out of the terminal', async () => {
    // Chat and Changes are a tab list: the arrow keys move between them, and the focus follows.
    await page.locator('[data-pane="changes"] [data-side-tab="changes"]').focus();
    await page.keyboard.press('ArrowLeft');
    await expect(page.locator('[data-pane="chat"]')).toBeVisible();
    await expect(page.locator('[data-pane="chat"] [data-side-tab="chat"]')).toBeFocused();
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('[data-pane="changes"] [data-side-tab="changes"]')).toBeFocused();
    // Tab indents in the editor (no save follows: the edit is undone).
    const editor = page.locator('[data-testid="code-editor"] .cm-content');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.press('Tab');
    await expect(editor).toBeFocused();
    await expect(page.locator('[data-testid="code-editor"] .cm-line').first()).toHaveText(/^\s+#/);
    await page.keyboard.press('ControlOrMeta+z');
    // Undone back to the file on disk: nothing unsaved, and no draft is kept for it.
    await expect(page.locator('.editor [aria-label="unsaved changes"]')).toHaveCount(0);
    // Tab in the terminal is the shell's; Escape then Tab leaves it.
    const terminalInput = page.locator('[data-testid="terminal"] textarea');
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.press('Tab');
    await expect(terminalInput).toBeFocused();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    await expect(terminalInput).not.toBeFocused();
  });

  await test.step('workers page lists the worker online', async () => {
    await page.goto(`${stack.webUrl}/workers`);
    await expect(page).toHaveTitle('Workers · Grove');
    const row = page.locator('tr[data-worker-id]');
    await expect(row.locator('.status')).toHaveText('online');
    await expect(row).toContainText(/\d+ ms/);
    // Local mode: the worker reports its sync, switched off (SQLite alone).
    await expect(row.locator('td[data-sync]')).toHaveAttribute('data-sync', 'off');
    await expect(row.locator('td[data-sync]')).toContainText('off (local)');
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }),
    ).toHaveAttribute('href', '/settings');
    await screenshot(page, 'workers-desktop');
  });

  await test.step('a phone: the panels become tabs, and the terminal is drawn', async () => {
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: '/dev/null' }).catch(() => undefined);
    await screenshot(page, 'workers-phone');
    // A phone proper: 3 device pixels per CSS pixel, touch, the same signed-in browser.
    const phoneContext = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
    });
    await phoneContext.addCookies(await page.context().cookies());
    const phone = await phoneContext.newPage();
    const phoneErrors = watchPageErrors(phone);
    await phone.goto(`${stack.webUrl}/`);
    await expect(phone.locator('tr[data-session-id]')).toHaveCount(1);
    await screenshot(phone, 'home-phone');
    await phone.goto(`${stack.webUrl}/sessions/${sessionId}`);
    for (const pane of ['files', 'editor', 'terminal', 'chat', 'changes'] as const) {
      await phone.locator(`[data-pane-tab="${pane}"]`).tap();
      await expect(phone.locator(`[data-pane="${pane}"]`)).toBeVisible();
      const others = ['files', 'editor', 'terminal', 'chat', 'changes'].filter((p) => p !== pane);
      for (const other of others)
        await expect(phone.locator(`[data-pane="${other}"]`)).toBeHidden();
      if (pane === 'editor') await phone.locator('[data-pane-tab="files"]').tap();
      if (pane === 'editor') {
        await phone.locator('[data-path="agent-notes.md"]').tap();
        await expect(phone.locator('[data-testid="code-editor"] .cm-content')).toContainText(
          'written by the agent',
        );
      }
      if (pane === 'terminal') {
        await expectTerminalToContain(phone, 'grove-42');
        // On the screen, not only in the buffer: a GPU canvas whose pixels do not match the
        // screen's ratio stays blank, so either every canvas matches or the DOM rows hold it.
        await expect
          .poll(() =>
            phone.evaluate(() => {
              const root = document.querySelector('[data-testid="terminal"]')!;
              const canvases = [...root.querySelectorAll('canvas')].filter(
                (c) => c.clientWidth >= 16 && c.clientHeight >= 16,
              );
              const ratio = window.devicePixelRatio;
              if (canvases.length === 0)
                return root.querySelector('.xterm-rows')?.textContent?.includes('grove-42');
              return canvases.every(
                (c) =>
                  Math.abs(c.width - c.clientWidth * ratio) <= 2 &&
                  Math.abs(c.height - c.clientHeight * ratio) <= 2,
              );
            }),
          )
          .toBe(true);
      }
      await screenshot(phone, `session-phone-${pane}`);
    }
    // Every column of the terminal is on the screen, also after a reload straight to the
    // terminal and after the screen changes size (the phone turned, a split screen).
    await phone.locator('[data-pane-tab="terminal"]').tap();
    await expect.poll(() => terminalOverflow(phone)).toBeLessThanOrEqual(1);
    await phone.reload();
    await phone.locator('[data-pane-tab="terminal"]').tap();
    await expectTerminalToContain(phone, 'grove-42');
    await expect.poll(() => terminalOverflow(phone)).toBeLessThanOrEqual(1);
    for (const size of [{ width: 375, height: 667 }, { width: 844, height: 390 }, PHONE]) {
      await phone.setViewportSize(size);
      await expect.poll(() => terminalOverflow(phone)).toBeLessThanOrEqual(1);
    }
    // Nothing may be wider than the phone's screen.
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(phoneErrors).toEqual([]);
    await phoneContext.close();
  });

  // A second tab on the session, opened during the outage and kept for the delete.
  let other!: Page;
  await test.step('a worker outage: the pages say so, and recover by themselves', async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(`${stack.webUrl}/sessions/${sessionId}`);
    await expect(page.locator('[data-path="README.md"]')).toBeVisible();
    await stack.worker.stop();
    // The open IDE stays, under a banner (coming back to the tab looks at once).
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    const banner = page.getByTestId('session-reconnecting');
    await expect(banner).toContainText('Cannot reach the session');
    await expect(page.locator('[data-path="README.md"]')).toBeVisible();
    await screenshot(page, 'session-desktop-worker-outage');
    // A page opened meanwhile waits for the worker rather than giving up; so does the home page.
    other = await page.context().newPage();
    await other.goto(`${stack.webUrl}/sessions/${sessionId}?file=README.md`);
    await expect(other.getByTestId('session-reconnecting')).toContainText('not reachable');
    await screenshot(other, 'session-worker-outage-on-load');
    const home = await page.context().newPage();
    await home.goto(`${stack.webUrl}/`);
    await expect(home.getByTestId('sessions-reconnecting')).toContainText('not reachable');
    await screenshot(home, 'home-worker-outage');

    await stack.restartWorker();
    await expect(banner).toHaveCount(0, { timeout: 20_000 });
    await expect(other.locator('[data-testid="code-editor"] .cm-content')).toContainText('#', {
      timeout: 20_000,
    });
    await expect(home.locator(`tr[data-session-id="${sessionId}"]`)).toBeVisible({
      timeout: 20_000,
    });
    await expect(home.getByTestId('sessions-reconnecting')).toHaveCount(0);
    await home.close();
    // What the outage made fail: requests the worker could not answer, sockets it refused.
    for (const line of errors.splice(0))
      expect(line).toMatch(/50[23] \(|WebSocket|ERR_CONNECTION_REFUSED/);
  });

  await test.step('a deleted session keeps its unpushed commit: restored into another session', async () => {
    // The other tab still has the session open, README.md in its editor.
    // The first session's commit was never pushed. Delete it from the sessions page...
    await page.goto(`${stack.webUrl}/`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page
      .locator(`tr[data-session-id="${sessionId}"]`)
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(page.locator(`tr[data-session-id="${sessionId}"]`)).toHaveCount(0);
    // ...the other tab says so (its editor's next read finds it gone), and stops asking.
    await expect(other.getByRole('heading', { name: 'This session was deleted' })).toBeVisible({
      timeout: 15_000,
    });
    await expect(other.getByRole('link', { name: 'Back to sessions' })).toBeVisible();
    await screenshot(other, 'session-deleted');
    const askedAfter: string[] = [];
    other.on('request', (request) => askedAfter.push(request.url()));
    // ...open another session of the repository and bring the work back from its Changes panel.
    await page.getByLabel('Repository, path or URL').fill(repo);
    await page.getByRole('button', { name: 'Create session' }).click();
    await expect(page).toHaveURL(/\/sessions\/[a-z0-9]+$/, { timeout: 60_000 });
    const next = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('tab', { name: 'Changes' }).first().click();
    const saved = page.getByTestId('saved-work');
    await saved.locator('summary').click();
    await screenshot(page, 'session-desktop-saved-work');
    await saved
      .locator(`[data-saved-from="${sessionId}"]`)
      .getByRole('button', { name: 'Restore here' })
      .click();
    await expect(page.getByText(/^Restored 2 files from session\//)).toBeVisible();
    await expect(page.locator('[data-diff-path="agent-notes.md"]')).toContainText(
      'written by the agent',
    );
    expect(
      readFileSync(path.join(stack.dataDir, 'worktrees', next, 'agent-notes.md'), 'utf8'),
    ).toBe('written by the agent\n');
    await expect(saved).toHaveCount(0);
    expect(askedAfter.filter((url) => url.includes('/api/'))).toEqual([]);
    await other.close();
  });

  expect(errors).toEqual([]);
});

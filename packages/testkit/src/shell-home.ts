import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A HOME for test shells (GROVE_TERMINAL_HOME): a plain prompt and nothing else, so the
 * machine's dotfiles (pyenv init, rc files, a stale lock one of them waits on) stay out of tests.
 */
export function makeShellHome(dir: string, prompt = 'grove$ '): string {
  const home = path.join(dir, 'shell-home');
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, '.bashrc'), `PS1='${prompt}'\n`);
  writeFileSync(path.join(home, '.bash_profile'), '. ~/.bashrc\n');
  return home;
}

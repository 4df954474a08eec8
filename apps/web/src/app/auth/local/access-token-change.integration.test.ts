import path from 'node:path';

import { makeTempDir, startProcess, type StartedProcess } from '@grove/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { NEXT_BIN, ROOT } from '@/testing/stack';

const FIRST = 'first-owner-token-0123456789';
const SECOND = 'second-owner-token-0123456789';

/** The built web app alone (no worker: the calls below never reach one). */
async function startWeb(dataDir: string, token: string) {
  const web = await startProcess(
    process.execPath,
    [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', '0'],
    {
      cwd: path.join(ROOT, 'apps/web'),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        GROVE_DATA_DIR: dataDir,
        GROVE_ACCESS_TOKEN: token,
        WORKER_URL: 'http://127.0.0.1:9',
      },
      ready: /Local:\s+(http:\/\/\S+)/,
    },
  );
  return { ...web, url: web.match[1]! };
}

async function signIn(url: string, token: string): Promise<string> {
  const answer = await fetch(`${url}/auth/local?token=${token}`, { redirect: 'manual' });
  const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('grove_session='));
  if (!cookie) throw new Error(`sign-in refused: ${answer.status}`);
  return cookie.split(';')[0]!;
}

const preferences = async (url: string, cookie: string) =>
  (await fetch(`${url}/api/user/preferences`, { headers: { cookie } })).status;

describe('local mode: the access token', () => {
  let web: StartedProcess | undefined;
  const temp = makeTempDir('grove-token-change-');
  const dataDir = path.join(temp.dir, 'data');

  afterEach(async () => {
    await web?.stop();
    web = undefined;
  });

  afterAll(() => temp.cleanup());

  it('signs out every browser that signed in with the old one; a restart alone does not', async () => {
    let started = await startWeb(dataDir, FIRST);
    web = started;
    // A token the owner set is not printed (the generated one is, being the only way to it).
    await expect
      .poll(() => started.output.join('\n'))
      .toContain('/sign-in with the token in GROVE_ACCESS_TOKEN');
    expect(started.output.join('\n')).not.toContain(FIRST);
    const cookie = await signIn(started.url, FIRST);
    expect(await preferences(started.url, cookie)).toBe(200);
    await started.stop();

    started = await startWeb(dataDir, FIRST);
    web = started;
    expect(await preferences(started.url, cookie)).toBe(200);
    await started.stop();

    started = await startWeb(dataDir, SECOND);
    web = started;
    expect(await preferences(started.url, cookie)).toBe(401);
    expect(await preferences(started.url, await signIn(started.url, SECOND))).toBe(200);
  });

  it('stops the web app at start when a setting is invalid, saying which', async () => {
    const started = await startWeb(dataDir, 'short');
    web = started;
    // It may print "Ready" first; it must not go on answering every request with a 500.
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('still running 15 s later')), 15_000);
      started.child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
      if (started.child.exitCode !== null) resolve(started.child.exitCode);
    });
    expect(code).toBe(1);
    expect(started.output.join('\n')).toContain(
      'GROVE_ACCESS_TOKEN must be at least 16 characters',
    );
  });
});

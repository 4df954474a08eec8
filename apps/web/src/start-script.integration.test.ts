import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { makeShellHome, makeTempDir, startProcess, type StartedProcess } from '@grove/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { freePort, ROOT, signIn, TEST_ACCESS_TOKEN, WORKER_ENTRY } from '@/testing/stack';

const START = path.join(ROOT, 'scripts/start.mjs');

/** Polls `check` until it returns something other than undefined. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids `grove: <name> started (pid N)` has named so far, in order. */
function startedPids(output: string[], name: string): number[] {
  const pattern = new RegExp(`^grove: ${name} started \\(pid (\\d+)\\)`);
  return output.flatMap((line) => {
    const found = pattern.exec(line);
    return found ? [Number(found[1])] : [];
  });
}

async function ok(url: string, init?: RequestInit): Promise<boolean> {
  try {
    return (await fetch(url, init)).ok;
  } catch {
    return false;
  }
}

describe('pnpm start (scripts/start.mjs)', () => {
  let start: StartedProcess | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let blocker: Server | undefined;

  beforeAll(() => {
    expect(existsSync(path.join(ROOT, 'apps/web/.next/BUILD_ID')), 'build the web app').toBe(true);
    expect(existsSync(WORKER_ENTRY), 'build the worker first').toBe(true);
  });

  afterEach(async () => {
    const pids = start
      ? [...startedPids(start.output, 'worker'), ...startedPids(start.output, 'web')]
      : [];
    await start?.stop();
    // Nothing it started may outlive it.
    for (const pid of pids) expect(alive(pid), `pid ${pid} still running`).toBe(false);
    blocker?.close();
    temp?.cleanup();
    [start, temp, blocker] = [undefined, undefined, undefined];
  });

  async function startGrove(workerPort: number) {
    temp = makeTempDir('grove-start-');
    const port = await freePort();
    start = await startProcess(process.execPath, [START, '--no-build'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GROVE_DATA_DIR: path.join(temp.dir, 'data'),
        GROVE_ACCESS_TOKEN: TEST_ACCESS_TOKEN,
        GROVE_TERMINAL_HOME: makeShellHome(temp.dir),
        PORT: String(port),
        WORKER_PORT: String(workerPort),
      },
      ready: /Local:\s+(http:\/\/\S+)/,
      timeoutMs: 60_000,
    });
    return {
      start,
      webUrl: `http://127.0.0.1:${port}`,
      workerUrl: `http://127.0.0.1:${workerPort}`,
    };
  }

  it('starts a worker that crashed again, and the web stays up through the outage', async () => {
    const { start, webUrl, workerUrl } = await startGrove(await freePort());
    await until('the worker', async () => ((await ok(`${workerUrl}/health`)) ? true : undefined));
    const cookie = await signIn(webUrl);
    const [webPid] = startedPids(start.output, 'web');
    const [firstWorker] = startedPids(start.output, 'worker');

    process.kill(firstWorker!, 'SIGKILL');
    await until('the restart notice', () =>
      start.output.some((line) =>
        /^grove: worker exited \(SIGKILL\); starting it again in \d+ ms$/.test(line),
      )
        ? true
        : undefined,
    );
    const secondWorker = await until(
      'a second worker',
      () => startedPids(start.output, 'worker')[1],
    );
    expect(secondWorker).not.toBe(firstWorker);
    // The signed-in browser's API calls work again once it is back; the web never went away.
    await until('the web to reach the new worker', async () =>
      (await ok(`${webUrl}/api/workspace/sessions`, { headers: { cookie } })) ? true : undefined,
    );
    expect(startedPids(start.output, 'web')).toEqual([webPid]);
    expect(alive(webPid!)).toBe(true);

    // Terminal sockets: the web's own origin only, not the default web on port 3000.
    const upgrade = (origin: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = request(`${workerUrl}/terminals/abcdefghij0123/ws`, {
          headers: { connection: 'Upgrade', upgrade: 'websocket', origin },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await upgrade('http://127.0.0.1:3000')).toBe(403);
    expect(await upgrade('http://localhost:3000')).toBe(403);
    // Past the origin check: refused for its (missing) ticket.
    expect(await upgrade(webUrl)).toBe(401);
    expect(await upgrade(webUrl.replace('127.0.0.1', 'localhost'))).toBe(401);

    expect(await start.stop()).toBe(0);
  });

  it('stops everything when the worker keeps exiting', async () => {
    // The worker's port is taken: every start fails at once.
    const workerPort = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(workerPort, '127.0.0.1', resolve));
    const { start } = await startGrove(workerPort);
    const exitCode = await new Promise<number | null>((resolve) =>
      start.child.once('exit', (code) => resolve(code)),
    );
    expect(exitCode).toBe(1);
    expect(start.output.join('\n')).toMatch(
      /grove: worker exited \(1\) 6 times in a minute; stopping/,
    );
    expect(startedPids(start.output, 'worker')).toHaveLength(6);
  });
});

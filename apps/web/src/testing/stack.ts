import { createServer } from 'node:net';
import path from 'node:path';

import { makeShellHome, makeTempDir, startProcess, type StartedProcess } from '@grove/testkit';

/** The repository's root, and the web app's `next` command, for tests that start processes. */
export const ROOT = path.resolve(import.meta.dirname, '../../../..');
export const WORKER_ENTRY = path.join(ROOT, 'apps/worker/dist/main.js');
export const NEXT_BIN = path.join(ROOT, 'apps/web/node_modules/next/dist/bin/next');

/** The origin the test browser pretends to have; the worker allows terminal sockets from it. */
export const TEST_WEB_ORIGIN = 'http://web.grove.test';
export const TEST_ACCESS_TOKEN = 'test-access-token-0123456789abcdef';
/** Lets a test call the worker directly, as another user the web never signs in. */
export const TEST_WORKER_SECRET = 'test-worker-secret-0123456789abcdef0123';

export interface Stack {
  webUrl: string;
  worker: StartedProcess & { url: string };
  web: StartedProcess;
  dataDir: string;
  /**
   * Starts the worker again on the same port and data directory (stopping it first if it still
   * runs): `worker.stop()`, then this, is an outage as the web and the browser see it.
   * `worker` is the new process afterwards.
   */
  restartWorker: () => Promise<void>;
  stop: () => Promise<void>;
}

export interface StackOptions {
  /**
   * The web's port (default: ephemeral). A browser test picks one up front with `freePort()`
   * because the worker must know the web's origin (GROVE_ALLOWED_ORIGINS) before either starts.
   */
  webPort?: number;
}

/** A port the OS just handed out as free: listen on 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The built web app (`next start`) and the built worker, real processes on ephemeral ports. */
export async function startStack(
  extraEnv: Record<string, string | undefined> = {},
  options: StackOptions = {},
): Promise<Stack> {
  const temp = makeTempDir('grove-web-');
  const dataDir = path.join(temp.dir, 'data');
  const base = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GROVE_DATA_DIR: dataDir,
    WORKER_SECRET: TEST_WORKER_SECRET,
    GROVE_ACCESS_TOKEN: TEST_ACCESS_TOKEN,
    GROVE_ALLOWED_ORIGINS: TEST_WEB_ORIGIN,
    GROVE_TERMINAL_HOME: makeShellHome(temp.dir),
    ...extraEnv,
  };
  const startWorker = (port: string) =>
    startProcess(process.execPath, [WORKER_ENTRY], {
      env: { ...base, WORKER_PORT: port },
      ready: /"port":(\d+).*"msg":"worker listening"/,
    });
  const worker = await startWorker('0');
  const workerPort = worker.match[1]!;
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const web = await startProcess(
    process.execPath,
    [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(options.webPort ?? 0)],
    {
      cwd: path.join(ROOT, 'apps/web'),
      env: { ...base, NODE_ENV: 'production', WORKER_URL: workerUrl },
      ready: /Local:\s+(http:\/\/\S+)/,
    },
  ).catch(async (error: unknown) => {
    // Leave nothing running behind a stack that did not start.
    await worker.stop();
    temp.cleanup();
    throw error;
  });
  const stack: Stack = {
    webUrl: web.match[1]!,
    worker: { ...worker, url: workerUrl },
    web,
    dataDir,
    restartWorker: async () => {
      await stack.worker.stop();
      stack.worker = { ...(await startWorker(workerPort)), url: workerUrl };
    },
    stop: async () => {
      await Promise.all([web.stop(), stack.worker.stop()]);
      temp.cleanup();
    },
  };
  return stack;
}

/** Signs in as the local owner and returns the session cookie (name=value). */
export async function signIn(webUrl: string): Promise<string> {
  const response = await fetch(`${webUrl}/auth/local?token=${TEST_ACCESS_TOKEN}`, {
    redirect: 'manual',
  });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('grove_session='));
  if (!cookie) throw new Error(`sign-in failed: ${response.status}`);
  return cookie.split(';')[0]!;
}

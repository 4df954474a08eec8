import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { makeShellHome, makeTempDir, workerFetcher } from '@grove/testkit';
import { pino, type Logger } from 'pino';

import { createApp, type WorkerApp } from '../app';
import { loadConfig, type WorkerConfig } from '../env';

export const TEST_SECRET = 'test-worker-secret-that-is-long-enough-1234';

export interface TestWorker {
  worker: WorkerApp;
  config: WorkerConfig;
  baseUrl: string;
  dataDir: string;
  fetchAs: (userId: string) => ReturnType<typeof workerFetcher>;
  close: () => Promise<void>;
}

/** An in-process worker on an ephemeral port with its own data dir. */
export async function startTestWorker(
  env: NodeJS.ProcessEnv = {},
  dataDir?: string,
  logger: Logger = pino({ level: 'silent' }),
): Promise<TestWorker & { cleanup: () => void }> {
  const temp = dataDir ? undefined : makeTempDir('grove-worker-');
  const dir = dataDir ?? path.join(temp!.dir, 'data');
  // Shells get a HOME of their own: the machine's dotfiles (pyenv, rc files) stay out of tests.
  const home = makeShellHome(temp?.dir ?? dir);
  const config = loadConfig({
    WORKER_SECRET: TEST_SECRET,
    GROVE_TERMINAL_HOME: home,
    GROVE_DATA_DIR: dir,
    WORKER_PORT: '0',
    GROVE_LOG_LEVEL: 'silent',
    ...env,
  });
  const worker = await createApp({ config, logger });
  await new Promise<void>((resolve) => worker.server.listen(0, '127.0.0.1', resolve));
  const { port } = worker.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    worker,
    config,
    baseUrl,
    dataDir: dir,
    fetchAs: (userId: string) => workerFetcher({ baseUrl, secret: TEST_SECRET, userId }),
    close: async () => {
      // As main.ts does: stop accepting, then dispose (which closes terminal sockets, which
      // the HTTP server would otherwise wait for), then wait for the server to finish.
      const closed = new Promise<void>((resolve) => worker.server.close(() => resolve()));
      worker.server.closeIdleConnections();
      await worker.dispose();
      worker.server.closeAllConnections();
      await closed;
    },
    cleanup: () => temp?.cleanup(),
  };
}

import type { AddressInfo } from 'node:net';

import { createApp } from './app';
import { loadConfig } from './env';
import { createLogger } from './lib/logger';
import { applyWorkerV8Flags } from './lib/v8-flags';

/** How long a graceful shutdown waits for in-flight work before closing anyway. */
const SHUTDOWN_GRACE_MS = 30_000;

async function main(): Promise<void> {
  applyWorkerV8Flags();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const worker = await createApp({ config, logger });

  worker.server.listen(config.port, config.host, () => {
    const address = worker.server.address() as AddressInfo;
    logger.info(
      { host: address.address, port: address.port, mode: config.mode, dataDir: config.dataDir },
      'worker listening',
    );
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting; idle keep-alive sockets go now, busy ones when their response ends.
    worker.server.close();
    worker.server.closeIdleConnections();
    const hardStop = setTimeout(() => {
      logger.error('in-flight work did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS + 2_000);
    hardStop.unref();
    worker
      .dispose(SHUTDOWN_GRACE_MS)
      .then(() => {
        worker.server.closeAllConnections();
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Logging may not exist yet (bad env): write plainly and fail.
  process.stderr.write(
    `grove worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});

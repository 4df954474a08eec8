import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

import { childEnv } from './child-env';
import { makeTempDir } from './temp-dir';

/** Debian's server binaries; `apt-get install postgresql` puts them here. */
export const POSTGRES_BIN_DIR = process.env.GROVE_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
/** initdb refuses to run as root: the cluster belongs to this OS user. */
const POSTGRES_OS_USER = 'postgres';

export interface PostgresServer {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, loopback only). */
  url: string;
  dataDir: string;
  /** The postmaster's PID while it runs. */
  pid: () => number | undefined;
  /** Stops the server (fast shutdown) by PID; the data stays for `start`. */
  stop: () => Promise<void>;
  /** Starts it again on the same port with the same data. */
  start: () => Promise<void>;
  /** Stops it and removes its folder. */
  close: () => Promise<void>;
}

/**
 * A free TCP port on loopback. Postgres cannot listen on port 0, so bind 0, read the port the
 * kernel chose, and release it; the tiny race with another process is acceptable in tests.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function asPostgresUser(command: string, args: string[]): string[] {
  // `runuser` keeps an argument array (no shell string); only needed when we are root.
  return process.getuid?.() === 0
    ? ['runuser', '-u', POSTGRES_OS_USER, '--', command, ...args]
    : [command, ...args];
}

function run(argv: string[]): string {
  return execFileSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv({ PATH: process.env.PATH, LANG: 'C.UTF-8' }),
  });
}

/**
 * A throwaway PostgreSQL cluster in a temp folder: initdb (trust auth, no fsync — test data
 * only), listening on 127.0.0.1 and a free port. Stopped and started by PID (`pg_ctl` reads the
 * PID from `postmaster.pid` of *this* cluster), never by name.
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (!existsSync(path.join(POSTGRES_BIN_DIR, 'initdb'))) {
    throw new Error(
      `PostgreSQL server binaries not found in ${POSTGRES_BIN_DIR}: apt-get install postgresql`,
    );
  }
  const temp = makeTempDir('grove-pg-');
  chmodSync(temp.dir, 0o755);
  if (process.getuid?.() === 0) {
    const uid = Number(run(['id', '-u', POSTGRES_OS_USER]).trim());
    const gid = Number(run(['id', '-g', POSTGRES_OS_USER]).trim());
    chownSync(temp.dir, uid, gid);
  }
  const dataDir = path.join(temp.dir, 'data');
  const logFile = path.join(temp.dir, 'postgres.log');
  run(
    asPostgresUser(path.join(POSTGRES_BIN_DIR, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]),
  );
  const port = await freePort();
  const pgCtl = (args: string[]) =>
    run(asPostgresUser(path.join(POSTGRES_BIN_DIR, 'pg_ctl'), args));
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = () =>
    existsSync(pidFile)
      ? Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10) || undefined
      : undefined;

  const start = async () => {
    pgCtl([
      '-D',
      dataDir,
      '-l',
      logFile,
      '-w',
      '-o',
      // One argument for pg_ctl to hand to postgres; no shell involved.
      `-p ${port} -k ${temp.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
    await Promise.resolve();
  };
  const stop = async () => {
    const current = pid();
    if (current === undefined) return;
    // SIGINT = fast shutdown: running transactions abort, clients are disconnected.
    process.kill(current, 'SIGINT');
    const deadline = Date.now() + 30_000;
    while (existsSync(pidFile) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (existsSync(pidFile)) throw new Error('postgres did not stop');
  };

  await start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    pid,
    stop,
    start,
    close: async () => {
      await stop();
      temp.cleanup();
    },
  };
}

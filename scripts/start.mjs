#!/usr/bin/env node
// `pnpm start`: build what is stale (turbo's cache makes a second start instant), then run the
// worker and the web app together on loopback. Ctrl-C stops both. Either one that dies is started
// again (after a short, growing pause), so a crashed worker is an outage the open IDE rides out
// (its runs in flight are closed as interrupted when it is back); one that keeps dying
// (five restarts within a minute: a port in use, a bad setting) stops everything.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `Grove needs Node.js >= 22.12 (24 LTS recommended); this is ${process.version}. See README.md.`,
  );
  process.exit(1);
}

const env = {
  ...process.env,
  GROVE_DATA_DIR: path.resolve(root, process.env.GROVE_DATA_DIR ?? '.grove'),
  HOST: process.env.HOST ?? '127.0.0.1',
  PORT: process.env.PORT ?? '3000',
  WORKER_HOST: process.env.WORKER_HOST ?? '127.0.0.1',
  WORKER_PORT: process.env.WORKER_PORT ?? '3001',
  NODE_ENV: 'production',
};
// The worker accepts terminal sockets only from the web app's origin, plus any
// GROVE_ALLOWED_ORIGINS. Set as GROVE_WEB_ORIGIN: the worker's default (the web on port 3000)
// applies only when that is unset. On loopback or every interface that origin is this machine's
// own browser's (as 127.0.0.1 and localhost); other machines' browsers need it set.
const everyInterface = env.HOST === '0.0.0.0' || env.HOST === '::';
if (everyInterface && !(env.GROVE_WEB_ORIGIN && env.WORKER_PUBLIC_URL)) {
  console.error(
    `grove: HOST=${env.HOST} serves other machines too; for their terminals set GROVE_WEB_ORIGIN` +
      ' (the address their browsers use, e.g. http://grove.lan:3000), WORKER_HOST and' +
      ' WORKER_PUBLIC_URL (where their browsers reach the worker)',
  );
}
if (!env.GROVE_WEB_ORIGIN) {
  const hosts =
    everyInterface || env.HOST === '127.0.0.1' || env.HOST === 'localhost'
      ? ['127.0.0.1', 'localhost']
      : [env.HOST];
  // An IPv6 address goes in brackets in a URL (as @grove/config's httpOrigin does).
  const [web, ...aliases] = hosts.map(
    (host) => `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT}`,
  );
  env.GROVE_WEB_ORIGIN = web;
  env.GROVE_ALLOWED_ORIGINS = [...aliases, env.GROVE_ALLOWED_ORIGINS].filter(Boolean).join(',');
}

if (!process.argv.includes('--no-build')) {
  const build = spawnSync(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      '--filter=@grove/web',
      '--filter=@grove/worker',
      '--output-logs=errors-only',
    ],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** Node flags the worker runs with (the benchmarks start it the same way). */
const WORKER_V8_FLAGS = ['--max-semi-space-size=32'];

/**
 * Secrets only the other process needs stay out of each one's environment (and so out of its
 * /proc/<pid>/environ): the web holds the sign-in token, the token key and the GitHub token;
 * the worker holds the model's key.
 */
const ONLY_FOR = {
  web: ['GROVE_ACCESS_TOKEN', 'ENCRYPTION_KEY', 'GITHUB_TOKEN'],
  worker: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'],
};

function envFor(name) {
  const own = { ...env };
  for (const [other, names] of Object.entries(ONLY_FOR))
    if (other !== name) for (const key of names) delete own[key];
  return own;
}

/** Exits within this window count towards giving up; a child that ran longer starts afresh. */
const CRASH_WINDOW_MS = 60_000;
const MAX_RESTARTS = 5;
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 8_000;

/** name → the running child */
const children = new Map();
const restartTimers = new Set();
let stopping = false;

function run(name, command, args, cwd, exits = []) {
  const child = spawn(command, args, {
    cwd,
    env: envFor(name),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.set(name, child);
  console.error(`grove: ${name} started (pid ${child.pid})`);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const now = Date.now();
    const recent = [...exits.filter((at) => now - at < CRASH_WINDOW_MS), now];
    if (recent.length > MAX_RESTARTS) {
      console.error(
        `grove: ${name} exited (${signal ?? code}) ${recent.length} times in a minute; stopping (see its errors above)`,
      );
      stop(1);
      return;
    }
    const pause = Math.min(FIRST_PAUSE_MS * 2 ** (recent.length - 1), LONGEST_PAUSE_MS);
    console.error(`grove: ${name} exited (${signal ?? code}); starting it again in ${pause} ms`);
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (!stopping) run(name, command, args, cwd, recent);
    }, pause);
    restartTimers.add(timer);
  });
  return child;
}

function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  for (const timer of restartTimers) clearTimeout(timer);
  const running = [...children.values()].filter(
    (child) => child.exitCode === null && !child.signalCode,
  );
  for (const child of running) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  }, 35_000);
  deadline.unref();
  Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve)))).then(
    () => process.exit(exitCode),
  );
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run(
  'worker',
  process.execPath,
  // A larger young generation: terminal and chat streams allocate many short-lived buffers,
  // and fewer scavenges mean fewer pauses in the middle of a flood.
  [WORKER_V8_FLAGS, path.join(root, 'apps/worker/dist/main.js')].flat(),
  path.join(root, 'apps/worker'),
);
run(
  'web',
  process.execPath,
  [
    path.join(root, 'apps/web/node_modules/next/dist/bin/next'),
    'start',
    '-H',
    env.HOST,
    '-p',
    env.PORT,
  ],
  path.join(root, 'apps/web'),
);

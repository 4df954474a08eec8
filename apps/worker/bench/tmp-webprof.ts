import path from 'node:path';
import {
  createSourceRepo,
  makeTempDir,
  readSse,
  startProcess,
  workerFetcher,
} from '@grove/testkit';
const ROOT = path.resolve(import.meta.dirname, '../../..');
const NEXT_BIN = path.join(ROOT, 'apps/web/node_modules/next/dist/bin/next');
const SECRET = 'bench-worker-secret-0123456789abcdef0123';
const ACCESS_TOKEN = 'bench-access-token-0123456789abcdef';
const temp = makeTempDir('grove-prof-');
const repo = createSourceRepo(path.join(temp.dir, 'origin'));
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GROVE_DATA_DIR: path.join(temp.dir, 'data'),
  WORKER_SECRET: SECRET,
  GROVE_ACCESS_TOKEN: ACCESS_TOKEN,
  GROVE_MAX_SESSIONS_PER_REPO: '1000',
  GROVE_CHAT_MESSAGES_PER_HOUR: '100000',
  GROVE_LOG_LEVEL: 'silent',
};
const worker = await startProcess(
  process.execPath,
  ['--import', 'tsx', path.join(import.meta.dirname, 'ticker-worker.ts')],
  {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...env, TICK_MS: '1', TICKS: '1', WORKER_PORT: '0' },
    ready: /"port":(\d+).*"msg":"worker listening"/,
  },
);
const workerUrl = `http://127.0.0.1:${worker.match[1]}`;
const prof = process.env.PROF
  ? ['--cpu-prof', '--cpu-prof-dir=/tmp/webprof', '--cpu-prof-interval=100']
  : [];
const web = await startProcess(
  process.execPath,
  [...prof, NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', '0'],
  {
    cwd: path.join(ROOT, 'apps/web'),
    env: { ...env, NODE_ENV: 'production', WORKER_URL: workerUrl },
    ready: /Local:\s+(http:\/\/\S+)/,
  },
);
const webUrl = web.match[1]!;
const signedIn = await fetch(`${webUrl}/auth/local?token=${ACCESS_TOKEN}`, { redirect: 'manual' });
const cookie = signedIn.headers.getSetCookie()[0]!.split(';')[0]!;
const direct = workerFetcher({ baseUrl: workerUrl, secret: SECRET, userId: 'local-owner' });
const sessionId = ((await (await direct('/sessions', { json: { repo } })).json()) as any).session
  .id;
const N = Number(process.env.N ?? 1500);
const lat: number[] = [];
const hl: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  const r = await fetch(`${webUrl}/api/workspace/chat`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, message: 'tick' }),
  });
  hl.push(performance.now() - t);
  await readSse(r);
  lat.push(performance.now() - t);
  const t2 = performance.now();
  await (await fetch(`${webUrl}/api/health`)).text();
  if (i > 100) hl.push(-(performance.now() - t2));
}
const p50 = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1]!.toFixed(2);
};
console.log(
  'chat total p50',
  p50(lat),
  'chat headers p50',
  p50(hl.filter((x) => x > 0)),
  'health p50',
  p50(hl.filter((x) => x < 0).map((x) => -x)),
);
await web.stop();
await worker.stop();
temp.cleanup?.();

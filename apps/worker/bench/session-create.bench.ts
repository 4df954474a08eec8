/**
 * Session create through the worker API vs raw `git worktree add`, on a 5,000-file repository,
 * interleaved in one run so machine drift hits both sides alike. Goal: p50 ratio ≤ 1.1×.
 *
 *   pnpm --filter @grove/worker bench        (or `pnpm bench` at the root)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { createSourceRepo, git, makeTempDir } from '@grove/testkit';

import { startTestWorker } from '../src/testing/harness';

import { percentile, reportResult, round } from './bench-utils';

const FILES = 5_000;
// Async, so the in-process worker's event loop (and its keep-alive sockets) is never blocked.
const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

async function main(): Promise<void> {
  const temp = makeTempDir('grove-bench-');
  const origin = createSourceRepo(path.join(temp.dir, 'origin'), { files: FILES });

  // The raw side gets a bare mirror built the way the worker builds its own.
  const rawMirror = path.join(temp.dir, 'raw-mirror.git');
  git(temp.dir, ['init', '--bare', '--quiet', rawMirror]);
  git(rawMirror, ['config', 'remote.origin.url', `file://${origin}`]);
  git(rawMirror, ['config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*']);
  git(rawMirror, ['fetch', '--quiet', 'origin']);
  const rawTrees = path.join(temp.dir, 'raw-trees');
  mkdirSync(rawTrees);

  const tw = await startTestWorker({
    GROVE_MIRROR_FRESH_SECONDS: '3600',
    GROVE_MAX_SESSIONS_PER_REPO: '1000',
  });
  const api = tw.fetchAs('bench');
  const create = async () => {
    const response = await api('/sessions', { json: { repo: origin } });
    if (response.status !== 201)
      throw new Error(`create failed: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { session: { id: string } }).session.id;
  };
  // Warm-up: the first create builds the worker's mirror; neither side times its first run.
  await api(`/sessions/${await create()}`, { method: 'DELETE' });
  await run('git', [
    '-C',
    rawMirror,
    'worktree',
    'add',
    '--quiet',
    '--no-track',
    '-b',
    'warm',
    path.join(rawTrees, 'warm'),
    'refs/remotes/origin/main',
  ]);

  const raw: number[] = [];
  const viaApi: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const tree = path.join(rawTrees, `t${i}`);
    let started = performance.now();
    await run('git', [
      '-C',
      rawMirror,
      'worktree',
      'add',
      '--quiet',
      '--no-track',
      '-b',
      `b${i}`,
      tree,
      'refs/remotes/origin/main',
    ]);
    raw.push(performance.now() - started);

    started = performance.now();
    const id = await create();
    viaApi.push(performance.now() - started);
    ids.push(id);
  }
  // Deletes happen after timing: removing 5,000 files right before a create slows the next
  // create on discard-mounted disks, which would measure the disk, not Grove.
  for (const id of ids) {
    const deleted = await api(`/sessions/${id}`, { method: 'DELETE' });
    if (deleted.status !== 204) throw new Error(`delete failed: ${deleted.status}`);
  }
  await tw.close();
  tw.cleanup();
  temp.cleanup();

  const result = {
    benchmark: 'session-create',
    files: FILES,
    rounds: ROUNDS,
    rawWorktreeAdd: {
      p50Ms: round(percentile(raw, 50), 1),
      p95Ms: round(percentile(raw, 95), 1),
    },
    workerApiCreate: {
      p50Ms: round(percentile(viaApi, 50), 1),
      p95Ms: round(percentile(viaApi, 95), 1),
    },
    ratioP50: round(percentile(viaApi, 50) / percentile(raw, 50), 3),
    goalRatioP50: 1.1,
  };
  reportResult('session-create', result);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

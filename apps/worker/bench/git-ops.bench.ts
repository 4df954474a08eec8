/**
 * The Changes panel's everyday git operations through the worker API vs the same git commands
 * run straight, interleaved in one run: status of a clean worktree (the panel's refresh), and
 * committing one changed file (`add --all`, the staged check, `commit`). What this watches is
 * the worker's own cost around git, simple-git's included: it used to wait 50 ms after every
 * command that printed nothing (see patches/simple-git@*.patch).
 *
 *   pnpm --filter @grove/worker bench        (or `pnpm bench` at the root)
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

import { createSourceRepo, git, makeTempDir } from '@grove/testkit';

import { startTestWorker } from '../src/testing/harness';

import { percentile, reportResult, round } from './bench-utils';

// Async, so the in-process worker's event loop (and its keep-alive sockets) is never blocked.
const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

function summary(values: number[]) {
  return { p50Ms: round(percentile(values, 50), 1), p95Ms: round(percentile(values, 95), 1) };
}

async function main(): Promise<void> {
  const temp = makeTempDir('grove-git-bench-');
  const origin = createSourceRepo(path.join(temp.dir, 'origin'), { files: 500 });
  const rawTree = path.join(temp.dir, 'raw');
  git(temp.dir, ['clone', '--quiet', origin, rawTree]);
  git(rawTree, ['config', 'user.name', 'Bench']);
  git(rawTree, ['config', 'user.email', 'bench@example.com']);

  const tw = await startTestWorker({ GROVE_MAX_SESSIONS_PER_REPO: '10' });
  const api = tw.fetchAs('bench');
  const created = await api('/sessions', { json: { repo: origin } });
  if (created.status !== 201) throw new Error(`create failed: ${created.status}`);
  const id = ((await created.json()) as { session: { id: string } }).session.id;

  const times = { rawStatus: [] as number[], apiStatus: [] as number[] };
  const commits = { raw: [] as number[], api: [] as number[] };
  const expectOk = async (response: Response, what: string) => {
    if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  // One untimed round first: both sides warm their caches and the worker its code paths.
  for (let i = -1; i < ROUNDS; i++) {
    let started = performance.now();
    await run('git', ['-C', rawTree, 'status', '--porcelain']);
    const rawStatus = performance.now() - started;

    started = performance.now();
    await expectOk(await api(`/sessions/${id}/git/status`), 'status');
    const apiStatus = performance.now() - started;

    writeFileSync(path.join(rawTree, 'bench.txt'), `round ${i}\n`);
    started = performance.now();
    await run('git', ['-C', rawTree, 'add', '--all']);
    await run('git', ['-C', rawTree, 'diff', '--cached', '--name-only', '-z']);
    await run('git', ['-C', rawTree, 'commit', '--quiet', '-m', `round ${i}`]);
    const rawCommit = performance.now() - started;

    await expectOk(
      await api(`/sessions/${id}/file`, {
        method: 'PUT',
        json: { path: 'bench.txt', content: `round ${i}\n` },
      }),
      'write',
    );
    started = performance.now();
    await expectOk(
      await api(`/sessions/${id}/git/commit`, { json: { message: `round ${i}` } }),
      'commit',
    );
    const apiCommit = performance.now() - started;

    if (i < 0) continue;
    times.rawStatus.push(rawStatus);
    times.apiStatus.push(apiStatus);
    commits.raw.push(rawCommit);
    commits.api.push(apiCommit);
  }
  await tw.close();
  tw.cleanup();
  temp.cleanup();

  reportResult('git-ops', {
    benchmark: 'git-ops',
    rounds: ROUNDS,
    statusClean: {
      rawGit: summary(times.rawStatus),
      workerApi: summary(times.apiStatus),
      ratioP50: round(percentile(times.apiStatus, 50) / percentile(times.rawStatus, 50), 2),
    },
    commitOneFile: {
      rawGit: summary(commits.raw),
      workerApi: summary(commits.api),
      ratioP50: round(percentile(commits.api, 50) / percentile(commits.raw, 50), 2),
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  createSourceRepo,
  git,
  makeTempDir,
  startProcess,
  workerFetcher,
  type StartedProcess,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TEST_SECRET } from '../../testing/harness';

const WORKER_ENTRY = path.resolve(import.meta.dirname, '../../../dist/main.js');

interface Listed {
  sessions: { id: string; status: string; error: string | null }[];
}

async function startWorker(dataDir: string): Promise<StartedProcess & { baseUrl: string }> {
  const started = await startProcess(process.execPath, [WORKER_ENTRY], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      WORKER_SECRET: TEST_SECRET,
      GROVE_DATA_DIR: dataDir,
      WORKER_PORT: '0',
    },
    ready: /"port":(\d+).*"msg":"worker listening"/,
  });
  return { ...started, baseUrl: `http://127.0.0.1:${started.match[1]}` };
}

describe('crash recovery (SIGKILL during create)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let repoDir: string;
  let dataDir: string;

  beforeAll(() => {
    expect(existsSync(WORKER_ENTRY), 'build the worker first (turbo runs build before test)').toBe(
      true,
    );
    temp = makeTempDir('grove-crash-');
    // Big enough that a create takes a few hundred ms, so kills land inside it.
    repoDir = createSourceRepo(path.join(temp.dir, 'origin'), { files: 3000 });
    dataDir = path.join(temp.dir, 'data');
  });

  afterAll(() => temp.cleanup());

  it('leaves every session active with its worktree or failed with none', async () => {
    const delays = [0, 5, 20, 40, 80, 120, 180, 250, 350, 500, 2000];
    for (const delay of delays) {
      const worker = await startWorker(dataDir);
      const fetchAs = workerFetcher({
        baseUrl: worker.baseUrl,
        secret: TEST_SECRET,
        userId: 'alice',
      });
      const pending = fetchAs('/sessions', { json: { repo: repoDir } }).catch(() => undefined);
      await sleep(delay);
      await worker.stop('SIGKILL');
      await pending;
    }

    const worker = await startWorker(dataDir);
    try {
      const fetchAs = workerFetcher({
        baseUrl: worker.baseUrl,
        secret: TEST_SECRET,
        userId: 'alice',
      });
      const { sessions } = (await (await fetchAs('/sessions')).json()) as Listed;
      expect(sessions.length).toBeGreaterThan(0);
      const worktrees = path.join(dataDir, 'worktrees');
      const onDisk = existsSync(worktrees) ? readdirSync(worktrees) : [];
      for (const session of sessions) {
        expect(['active', 'failed']).toContain(session.status);
        const dir = path.join(worktrees, session.id);
        if (session.status === 'active') {
          expect(git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']).trim()).toBe(
            `session/${session.id}`,
          );
          expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
        } else {
          expect(existsSync(dir)).toBe(false);
        }
      }
      // No folder without a row, and every failed one can be deleted cleanly.
      for (const name of onDisk) expect(sessions.map((s) => s.id)).toContain(name);
      for (const session of sessions.filter((s) => s.status === 'failed')) {
        expect((await fetchAs(`/sessions/${session.id}`, { method: 'DELETE' })).status).toBe(204);
      }
      const mirrors = readdirSync(path.join(dataDir, 'mirrors')).filter((name) =>
        name.endsWith('.git'),
      );
      for (const mirror of mirrors)
        git(path.join(dataDir, 'mirrors', mirror), ['fsck', '--no-progress', '--no-dangling']);
      // And the worker still creates sessions after all that.
      const fresh = await fetchAs('/sessions', { json: { repo: repoDir } });
      expect(fresh.status).toBe(201);
    } finally {
      await worker.stop();
    }
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  createSourceRepo,
  makeTempDir,
  startStalledRemote,
  type StalledRemote,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';

/** The stall time the worker is given here, in seconds (GROVE_GIT_STALL_SECONDS). */
const STALL_SECONDS = 2;
/** A stalled create must be answered by then: the stall time plus git's own start-up. */
const ANSWER_WITHIN_MS = 8_000;

/** Command lines of the processes on this machine that mention `text`. */
function commandLinesWith(text: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')];
      } catch {
        return []; // ended meanwhile
      }
    })
    .filter((line) => line.includes(text));
}

interface ErrorBody {
  error: { code: string; message: string };
}

describe('creating a session from a remote that stops answering', () => {
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let repoDir: string;
  let remote: StalledRemote;

  beforeAll(async () => {
    temp = makeTempDir('grove-stall-');
    repoDir = createSourceRepo(path.join(temp.dir, 'origin'));
    remote = await startStalledRemote();
    tw = await startTestWorker({ GROVE_GIT_STALL_SECONDS: String(STALL_SECONDS) });
  });

  afterAll(async () => {
    // Connections end first, so a git still waiting on one (before the fix) lets the worker go.
    await remote?.close();
    await tw?.close();
    tw?.cleanup();
    temp?.cleanup();
  });

  it('fails with repo_unavailable within the stall time, with or without a base branch, and leaves nothing behind', async () => {
    const alice = tw.fetchAs('alice');
    // A TLS handshake that never gets an answer: the stall curl's low-speed limit does not see.
    const url = `https://127.0.0.1:${remote.port}/x.git`;
    // With a base branch the mirror's build is what stalls; without one, the ls-remote that
    // looks up the default branch before the session is written.
    for (const body of [{ repo: url, baseBranch: 'main' }, { repo: url }]) {
      const started = Date.now();
      const res = await alice('/sessions', { json: body });
      const elapsed = Date.now() - started;
      expect(res.status, JSON.stringify(body)).toBe(422);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.code).toBe('repo_unavailable');
      expect(error.message).toBe(
        `Could not fetch ${url}: it stopped answering (nothing heard from it for ${STALL_SECONDS} s)`,
      );
      expect(elapsed).toBeGreaterThanOrEqual(STALL_SECONDS * 1000 - 100);
      expect(elapsed).toBeLessThan(ANSWER_WITHIN_MS);
    }
    expect(remote.connections).toBeGreaterThanOrEqual(2);
    // Nor is git's remote helper left waiting on the handshake (SIGINT reaches git alone; its
    // helper would wait out curl's 300 s, holding the connection and the caller's token).
    await sleep(500);
    expect(commandLinesWith(`127.0.0.1:${remote.port}`)).toEqual([]);

    // No session, no worktree, no half-built mirror.
    const list = (await (await alice('/sessions')).json()) as { sessions: unknown[] };
    expect(list.sessions).toEqual([]);
    const worktrees = path.join(tw.dataDir, 'worktrees');
    expect(existsSync(worktrees) ? readdirSync(worktrees) : []).toEqual([]);
    expect(readdirSync(path.join(tw.dataDir, 'mirrors'))).toEqual([]);

    // The worker is none the worse: a reachable repository still makes a session.
    const ok = await alice('/sessions', { json: { repo: repoDir } });
    expect(ok.status, await ok.clone().text()).toBe(201);
    const { session } = (await ok.json()) as { session: { id: string; status: string } };
    expect(session.status).toBe('active');
    expect((await alice(`/sessions/${session.id}`, { method: 'DELETE' })).status).toBe(204);
  }, 30_000);
});

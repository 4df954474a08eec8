import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

import type { Logger } from 'pino';

import { createGit } from '../../lib/git';
import type { RepoMirrors } from './repo-mirrors';
import type { SessionService } from './session-service';

export interface RecoveryReport {
  failedCreates: number;
  finishedDeletes: number;
  vanished: number;
  orphansPruned: number;
}

/**
 * Settles whatever a crash (even `kill -9`) left behind, before the worker takes requests:
 * - `creating`: the worktree may be half-checked-out; remove it and mark the session failed;
 * - `deleting`: finish the delete;
 * - a live row whose worktree folder is gone: failed;
 * - `updating`: back to active (the update did not finish; the worktree is intact);
 * - a worktree folder with no row: removed, and git's worktree list pruned.
 */
export async function recoverSessions(
  service: SessionService,
  mirrors: RepoMirrors,
  dataDir: string,
  logger: Logger,
): Promise<RecoveryReport> {
  const report: RecoveryReport = {
    failedCreates: 0,
    finishedDeletes: 0,
    vanished: 0,
    orphansPruned: 0,
  };
  const store = service.store;
  await mirrors.removeStaleState();

  for (const row of store.listByStatus(['creating'])) {
    await mirrors.withLock(row.repo_key, () =>
      mirrors.removeWorktree(
        mirrors.mirrorPath(row.repo_key),
        row.worktree_path,
        row.branch_name,
        false,
      ),
    );
    store.transition(row.id, 'failed', {
      error: 'The worker stopped while this session was being created',
    });
    report.failedCreates++;
  }

  for (const row of store.listByStatus(['deleting'])) {
    try {
      await service.finishDelete(row);
      report.finishedDeletes++;
    } catch (error) {
      logger.error({ err: error, sessionId: row.id }, 'could not finish an interrupted delete');
    }
  }

  for (const row of store.listByStatus(['active', 'connected', 'updating'])) {
    if (!existsSync(path.join(row.worktree_path, '.git'))) {
      store.transition(row.id, 'failed', { error: 'The worktree is missing' });
      report.vanished++;
    } else if (row.status !== 'active') {
      // Nobody is connected after a restart, and an update that was cut off did not finish.
      store.transition(row.id, 'active');
    }
  }

  const worktreesDir = path.join(dataDir, 'worktrees');
  if (existsSync(worktreesDir)) {
    const known = new Set(store.listAll().map((row) => row.id));
    for (const name of await readdir(worktreesDir)) {
      if (!known.has(name)) {
        await rm(path.join(worktreesDir, name), {
          recursive: true,
          force: true,
          maxRetries: 10,
          retryDelay: 100,
        });
        report.orphansPruned++;
      }
    }
  }
  for (const mirror of await mirrors.list()) {
    await createGit(mirror, mirrors.gitOptions(undefined)).raw(['worktree', 'prune']);
  }
  if (report.failedCreates + report.finishedDeletes + report.vanished + report.orphansPruned > 0) {
    logger.warn({ ...report }, 'recovered sessions after an unclean stop');
  }
  return report;
}

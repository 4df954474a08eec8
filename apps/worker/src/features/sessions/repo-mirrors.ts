import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { AppError } from '@grove/contract';
import type { Logger } from 'pino';

import {
  createGit,
  REMOTE_REFS,
  RemoteStalledError,
  runRemoteGit,
  scrubGitMessage,
  type GitProgress,
  type RemoteGitOptions,
} from '../../lib/git';
import type { KeyedMutex } from '../../lib/keyed-mutex';
import { RecentReads } from './recent-reads';
import type { RepoSource } from './repo-source';

export interface RepoMirrorsOptions {
  dataDir: string;
  githubUrl: string;
  allowLocalRepos: boolean;
  mirrorFreshMs: number;
  /** GROVE_GIT_STALL_SECONDS: a remote silent this long has failed (see runRemoteGit). */
  gitStallSeconds: number;
  mutex: KeyedMutex;
  logger: Logger;
}

/**
 * A mirror's fetch of the remote's branches. --progress: the first fetch of a large repository
 * is what a user waits for (they see it), and git speaks from its start (runRemoteGit).
 */
const FETCH_ARGS = ['fetch', '--progress', '--prune', '--no-tags', 'origin'];

/** How long the remote's HEAD, heard before a create, stands in for asking again. */
const HEARD_HEAD_FRESH_MS = 60_000;

export interface MirrorInfo {
  path: string;
  defaultBranch: string;
}

/**
 * One bare mirror per repository under `<dataDir>/mirrors`, fetched on demand. Session
 * branches are local heads of the mirror; the remote's branches live under
 * refs/remotes/origin so a fetch never touches a session branch. Callers hold the
 * repository's lock (`withLock`) around everything that writes to a mirror.
 */
export class RepoMirrors {
  readonly root: string;
  readonly #options: RepoMirrorsOptions;
  readonly #lastFetch = new Map<string, number>();
  /** Default branch per mirror, read from its config once: a git spawn saved per create. */
  readonly #defaultBranch = new Map<string, string>();
  /**
   * The remote's HEAD as `defaultBranchOf` just heard it, for the mirror built next to use
   * rather than ask the remote again (one round trip saved on a repository's first session).
   * Taken once, and only while fresh.
   */
  readonly #heardHead = new Map<string, { branch: string; at: number }>();
  /** Which token GitHub let read which repository lately (for `#checkAccess`). */
  readonly #reads = new RecentReads();

  constructor(options: RepoMirrorsOptions) {
    this.#options = options;
    this.root = path.join(options.dataDir, 'mirrors');
  }

  mirrorPath(key: string): string {
    return path.join(this.root, `${key}.git`);
  }

  withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.#options.mutex.run(key, task);
  }

  gitOptions(source: RepoSource | undefined, token?: string): RemoteGitOptions {
    const github = new URL(this.#options.githubUrl);
    const protocols = ['https'];
    if (github.protocol === 'http:') protocols.push('http');
    if (this.#options.allowLocalRepos) protocols.push('file');
    return {
      allowProtocols: protocols,
      credentials:
        source?.isGitHub && token ? { urlPrefix: `${github.origin}/`, token } : undefined,
      stallSeconds: this.#options.gitStallSeconds,
    };
  }

  /**
   * Creates the mirror on first use and fetches it when older than the freshness window; a
   * fresh one is only used once GitHub lets the caller read it (`#checkAccess`). Hold the lock.
   */
  async ensure(
    source: RepoSource,
    token?: string,
    onProgress?: (progress: GitProgress) => void,
  ): Promise<MirrorInfo> {
    const mirror = this.mirrorPath(source.key);
    const options = this.gitOptions(source, token);
    const secrets = token ? [token] : [];
    try {
      if (!existsSync(mirror)) {
        await this.#create(source, mirror, options, onProgress);
        this.#reads.remember(source, token);
      } else if (!(await this.#isFresh(source.key, mirror))) {
        await this.#fetch(source, mirror, options, onProgress);
        this.#reads.remember(source, token);
      } else {
        await this.#checkAccess(source, options, token);
      }
    } catch (error) {
      throw unavailable(source, error, secrets);
    }
    return { path: mirror, defaultBranch: await this.#mirrorDefaultBranch(source.key, options) };
  }

  /**
   * The branch a session of `source` starts from when none is asked for, known before any
   * git work: the mirror's (what `ensure` answers) when there is one, else the remote's HEAD
   * (`git ls-remote --symref`, which writes nothing; the mirror built next uses it). A fresh
   * mirror's answer goes only to a caller GitHub lets read the repository. No lock needed: a
   * mirror appears whole (renamed into place) or not at all.
   */
  async defaultBranchOf(source: RepoSource, token?: string): Promise<string> {
    const options = this.gitOptions(source, token);
    const mirror = this.mirrorPath(source.key);
    try {
      if (existsSync(mirror)) {
        const known = await this.#mirrorDefaultBranch(source.key, options).catch(() => '');
        if (known) {
          // A stale mirror is fetched with the caller's token before anything is read from it.
          if (await this.#isFresh(source.key, mirror))
            await this.#checkAccess(source, options, token);
          return known;
        }
      }
      await mkdir(this.root, { recursive: true });
      const branch = await remoteHead(this.root, options, source.remoteUrl, source.remoteUrl);
      this.#reads.remember(source, token);
      this.#heardHead.set(source.key, { branch, at: Date.now() });
      return branch;
    } catch (error) {
      throw unavailable(source, error, token ? [token] : []);
    }
  }

  /**
   * The mirror is shared, so its being on disk says nothing about the caller: before a create
   * uses it without fetching, the caller's own credentials must read the GitHub repository
   * (`git ls-remote`, one round trip that writes nothing). A yes is remembered briefly.
   * Other remotes never get a token, so every caller reads them exactly as the worker does.
   */
  async #checkAccess(source: RepoSource, options: RemoteGitOptions, token?: string): Promise<void> {
    if (!source.isGitHub || this.#reads.has(source, token)) return;
    // The answer must name the remote's HEAD: a failure that somehow exits quietly is no yes.
    await remoteHead(this.root, options, source.remoteUrl, source.remoteUrl);
    this.#reads.remember(source, token);
  }

  /** Fetched within the freshness window: `ensure` will not fetch it. */
  async #isFresh(key: string, mirror: string): Promise<boolean> {
    return Date.now() - (await this.#lastFetchedAt(key, mirror)) <= this.#options.mirrorFreshMs;
  }

  /** The default branch recorded in the mirror when it was made (read once, then cached). */
  async #mirrorDefaultBranch(key: string, options: RemoteGitOptions): Promise<string> {
    let defaultBranch = this.#defaultBranch.get(key);
    if (defaultBranch === undefined) {
      defaultBranch = (
        await createGit(this.mirrorPath(key), options).raw([
          'config',
          '--get',
          'grove.defaultbranch',
        ])
      ).trim();
      this.#defaultBranch.set(key, defaultBranch);
    }
    return defaultBranch;
  }

  async #create(
    source: RepoSource,
    mirror: string,
    options: RemoteGitOptions,
    onProgress?: (progress: GitProgress) => void,
  ): Promise<void> {
    await mkdir(this.root, { recursive: true });
    // Build in a temporary folder and rename: a crash leaves a tmp folder, never half a mirror.
    const tmp = path.join(this.root, `.tmp-${source.key}-${randomBytes(4).toString('hex')}`);
    let defaultBranch: string;
    try {
      defaultBranch = await this.#build(source, tmp, options, onProgress);
      await rename(tmp, mirror);
    } catch (error) {
      // A repository that cannot be fetched leaves nothing behind (start-up cleans crashes).
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
    this.#lastFetch.set(source.key, Date.now());
    this.#defaultBranch.set(source.key, defaultBranch);
    this.#options.logger.info({ repo: source.remoteUrl, mirror }, 'mirror created');
  }

  /** A new bare mirror of `source` in `tmp`, configured and fetched; its default branch. */
  async #build(
    source: RepoSource,
    tmp: string,
    options: RemoteGitOptions,
    onProgress?: (progress: GitProgress) => void,
  ): Promise<string> {
    const git = createGit(this.root, options);
    await git.raw(['init', '--bare', '--quiet', tmp]);
    const mirrorGit = createGit(tmp, options);
    await mirrorGit.raw(['config', 'remote.origin.url', source.remoteUrl]);
    await mirrorGit.raw(['config', 'remote.origin.fetch', `+refs/heads/*:${REMOTE_REFS}/*`]);
    // No background gc racing with worktree operations; maintenance runs under the lock.
    await mirrorGit.raw(['config', 'gc.auto', '0']);
    await mirrorGit.raw(['config', 'maintenance.auto', 'false']);
    const defaultBranch =
      this.#takeHeardHead(source.key) ??
      (await remoteHead(tmp, options, 'origin', source.remoteUrl));
    await mirrorGit.raw(['config', 'grove.defaultbranch', defaultBranch]);
    await runRemoteGit(tmp, options, FETCH_ARGS, source.remoteUrl, onProgress);
    return defaultBranch;
  }

  #takeHeardHead(key: string): string | undefined {
    const heard = this.#heardHead.get(key);
    this.#heardHead.delete(key);
    return heard && Date.now() - heard.at < HEARD_HEAD_FRESH_MS ? heard.branch : undefined;
  }

  async #fetch(
    source: RepoSource,
    mirror: string,
    options: RemoteGitOptions,
    onProgress?: (progress: GitProgress) => void,
  ): Promise<void> {
    await runRemoteGit(mirror, options, FETCH_ARGS, source.remoteUrl, onProgress);
    this.#lastFetch.set(source.key, Date.now());
  }

  async #lastFetchedAt(key: string, mirror: string): Promise<number> {
    const known = this.#lastFetch.get(key);
    if (known !== undefined) return known;
    const fetchHead = path.join(mirror, 'FETCH_HEAD');
    const at = existsSync(fetchHead) ? (await stat(fetchHead)).mtimeMs : 0;
    this.#lastFetch.set(key, at);
    return at;
  }

  /**
   * Adds a worktree on a new branch from the remote's `baseBranch`. Hold the lock. A missing
   * base branch is a 422 naming it; it is only looked for after a failure, so the usual
   * create costs one git process.
   */
  async addWorktree(
    mirror: string,
    worktree: string,
    branch: string,
    baseBranch: string,
  ): Promise<void> {
    await mkdir(path.dirname(worktree), { recursive: true });
    const git = createGit(mirror, this.gitOptions(undefined));
    const startPoint = `${REMOTE_REFS}/${baseBranch}`;
    try {
      await git.raw(['worktree', 'add', '--no-track', '-b', branch, worktree, startPoint]);
    } catch (error) {
      // simple-git resolves a failed command that printed nothing to stderr: judge by output.
      const sha = await git
        .raw(['rev-parse', '--verify', '--quiet', `${startPoint}^{commit}`])
        .catch(() => '');
      if (!/^[0-9a-f]{40,64}$/m.test(sha.trim())) {
        throw new AppError('validation_failed', `Base branch "${baseBranch}" does not exist`, {
          details: [{ path: 'baseBranch', message: `no branch named ${baseBranch}` }],
        });
      }
      throw error;
    }
  }

  /** Removes a worktree (if present) and, unless `keepBranch`, its branch. Idempotent. Hold the lock. */
  async removeWorktree(
    mirror: string,
    worktree: string,
    branch: string,
    keepBranch: boolean,
  ): Promise<void> {
    if (!existsSync(mirror)) {
      await rm(worktree, { recursive: true, force: true });
      return;
    }
    const git = createGit(mirror, this.gitOptions(undefined));
    if (existsSync(worktree)) {
      try {
        await git.raw(['worktree', 'remove', '--force', '--force', worktree]);
      } catch (error) {
        // A worktree git no longer knows (half-created, admin dir gone) is just a folder.
        this.#options.logger.warn(
          { worktree, err: scrubGitMessage(String(error)) },
          'worktree remove failed; deleting folder',
        );
        // Retries: a git orphaned by a crash (kill -9) may still be writing into the folder.
        await rm(worktree, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      }
    }
    await git.raw(['worktree', 'prune']);
    if (!keepBranch) {
      const exists =
        (await git.raw(['for-each-ref', '--format=%(refname)', `refs/heads/${branch}`])).trim() !==
        '';
      if (exists) await git.raw(['branch', '-D', '--quiet', branch]);
    }
  }

  /** Every mirror folder on disk (finished ones only). */
  async list(): Promise<string[]> {
    if (!existsSync(this.root)) return [];
    const names = await readdir(this.root);
    return names
      .filter((name) => name.endsWith('.git') && !name.startsWith('.'))
      .map((name) => path.join(this.root, name));
  }

  /**
   * Start-up clean-up after a crash: half-built mirrors, and git lock files that a killed git
   * left behind (only this worker runs git on these mirrors, so any lock at start is stale).
   */
  async removeStaleState(): Promise<void> {
    if (!existsSync(this.root)) return;
    for (const name of await readdir(this.root)) {
      if (name.startsWith('.tmp-'))
        await rm(path.join(this.root, name), { recursive: true, force: true });
    }
    for (const mirror of await this.list()) {
      await removeLockFiles(mirror);
    }
  }
}

async function removeLockFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'objects') await removeLockFiles(full);
    } else if (entry.name.endsWith('.lock')) {
      await rm(full, { force: true });
    }
  }
}

/** What is plainly wrong with a local repository path (missing, not a repository), if anything. */
function localRepoProblem(remoteUrl: string): string | undefined {
  const dir = fileURLToPath(remoteUrl);
  if (!existsSync(dir)) return `There is no folder ${dir} on the worker`;
  const isRepo = existsSync(path.join(dir, '.git')) || existsSync(path.join(dir, 'HEAD'));
  return isRepo ? undefined : `${dir} is not a git repository`;
}

/**
 * The branch the remote's HEAD names (`git ls-remote --symref <remote> HEAD`, run in `baseDir`;
 * `remote` is a URL or, in a mirror, `origin`).
 */
async function remoteHead(
  baseDir: string,
  options: RemoteGitOptions,
  remote: string,
  remoteUrl: string,
): Promise<string> {
  const head = await runRemoteGit(
    baseDir,
    options,
    ['ls-remote', '--symref', remote, 'HEAD'],
    remoteUrl,
  );
  const match = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(head);
  if (!match?.[1])
    throw new AppError(
      'repo_unavailable',
      `${remoteUrl} has no default branch (empty repository?)`,
    );
  return match[1];
}

/** A failure to reach or read the remote, said plainly (a local path's own problem first). */
function unavailable(source: RepoSource, error: unknown, secrets: readonly string[]): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof RemoteStalledError) {
    const message = `Could not fetch ${source.remoteUrl}: it ${error.reason}`;
    return new AppError('repo_unavailable', message, { cause: error });
  }
  const local = source.isLocal ? localRepoProblem(source.remoteUrl) : undefined;
  if (local) return new AppError('repo_unavailable', local, { cause: error });
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError(
    'repo_unavailable',
    `Could not fetch ${source.remoteUrl}: ${scrubGitMessage(detail, secrets)}`,
    { cause: error },
  );
}

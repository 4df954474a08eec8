import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

import { simpleGit, type SimpleGit, type SimpleGitProgressEvent } from 'simple-git';
import { pickEnv } from './env-allowlist';

/** Variables a git child may inherit from the worker; everything else is dropped. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ'] as const;

/** Where a mirror keeps the remote's branches (`+refs/heads/*:refs/remotes/origin/*`). */
export const REMOTE_REFS = 'refs/remotes/origin';

export interface GitCredentials {
  /** URL prefix the credential is scoped to, e.g. `https://github.com/`. */
  urlPrefix: string;
  token: string;
}

export interface GitEnvOptions {
  /** Transports git may use; `ext::` and friends are never on this list. */
  allowProtocols: readonly string[];
  credentials?: GitCredentials | undefined;
  /**
   * How long a remote may leave git without a byte before it counts as stopped answering
   * (GROVE_GIT_STALL_SECONDS): curl's low-speed limit, and `runRemoteGit`'s watchdog.
   */
  stallSeconds?: number | undefined;
}

/**
 * The whole environment of one git process. The GitHub token, when one is needed, goes in
 * here as a URL-scoped `http.extraHeader` through GIT_CONFIG_COUNT — never argv (visible in
 * `ps`), never a config file on disk.
 */
export function buildGitEnv(
  options: GitEnvOptions,
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env = pickEnv(INHERITED_ENV, from);
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ALLOW_PROTOCOL: options.allowProtocols.join(':'),
    GIT_PROTOCOL_FROM_USER: '0',
    GCM_INTERACTIVE: 'never',
  });
  if (options.stallSeconds !== undefined) {
    // Under 1 byte/s for that long aborts an http(s) transfer: a stalled answer or a transfer
    // cut off halfway fails, while a slow one that keeps sending (keepalives included) goes on.
    env.GIT_HTTP_LOW_SPEED_LIMIT = '1';
    env.GIT_HTTP_LOW_SPEED_TIME = String(options.stallSeconds);
  }
  if (options.credentials) {
    const basic = Buffer.from(`x-access-token:${options.credentials.token}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = `http.${options.credentials.urlPrefix}.extraHeader`;
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  return env;
}

/** What a long git transfer reports while it runs (from `--progress` on stderr). */
export interface GitProgress {
  stage: string;
  percent: number;
}

/**
 * simple-git names a stage by the first word of git's progress line, and the lines the remote
 * side prints ("remote: Counting objects: 75%") all come out as `remote:`: that is the remote
 * preparing what it sends.
 */
export function progressStage(stage: string): string {
  return stage === 'remote:' ? 'preparing' : stage;
}

/**
 * A simple-git client for `baseDir` whose processes see only `buildGitEnv`'s environment,
 * plus `extraEnv` (e.g. GIT_INDEX_FILE for a scratch index). For commands that talk to a
 * remote, use `runRemoteGit`.
 */
export function createGit(
  baseDir: string,
  options: GitEnvOptions,
  extraEnv: Record<string, string> = {},
  onProgress?: (progress: GitProgress) => void,
): SimpleGit {
  return gitClient(baseDir, options, extraEnv, onProgress);
}

function gitClient(
  baseDir: string,
  options: GitEnvOptions,
  extraEnv: Record<string, string>,
  onProgress: ((progress: GitProgress) => void) | undefined,
  abort?: AbortSignal,
): SimpleGit {
  const env = { ...buildGitEnv(options), ...extraEnv };
  const git = simpleGit({
    baseDir,
    maxConcurrentProcesses: 8,
    trimmed: false,
    // simple-git guards every GIT_* variable; the ones we set are exactly the ones we built.
    allowEnvironment: Object.keys(env).filter((name) => name.startsWith('GIT_')),
    // The token's extraHeader travels as GIT_CONFIG_COUNT/KEY/VALUE, which simple-git guards.
    ...(options.credentials ? { unsafe: { allowUnsafeConfigEnvCount: true } } : {}),
    ...(onProgress
      ? {
          progress: (event: SimpleGitProgressEvent) =>
            onProgress({ stage: progressStage(event.stage), percent: event.progress }),
        }
      : {}),
    // simple-git stops the git it is running with SIGINT, on which git removes its lock files
    // and temporary packs and stops its remote helper.
    ...(abort ? { abort } : {}),
  });
  return git.env(env);
}

/** Options for a git command that talks to a remote: the stall time is not optional there. */
export type RemoteGitOptions = GitEnvOptions & { stallSeconds: number };

/** A remote that left git without a byte for the stall time (see `runRemoteGit`). */
export class RemoteStalledError extends Error {
  /** "stopped answering (nothing heard from it for 60 s)", for a message that names the remote itself. */
  readonly reason: string;

  constructor(
    readonly remote: string,
    readonly seconds: number,
    options?: ErrorOptions,
  ) {
    const reason = `stopped answering (nothing heard from it for ${seconds} s)`;
    super(`${remote} ${reason}`, options);
    this.name = 'RemoteStalledError';
    this.reason = reason;
  }
}

/** The environment variable that marks the processes of one `runRemoteGit` command. */
const RUN_MARK = 'GROVE_GIT_RUN';

/**
 * Kills (SIGKILL, by pid) every process whose environment carries this run's mark: only
 * processes this worker started for that command have it. Linux's /proc; elsewhere nothing.
 */
function stopMarked(run: string): void {
  const mark = Buffer.from(`\0${RUN_MARK}=${run}\0`);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
      if (environ.includes(mark)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
}

/** How curl words its low-speed abort (`GIT_HTTP_LOW_SPEED_*`), as git passes it on. */
const CURL_TOO_SLOW = /Operation too slow/;

/**
 * Runs one git command that talks to `remote` (ls-remote, fetch, push) and gives up on a remote
 * that stops answering, with `RemoteStalledError`. An http(s) transfer is watched by curl's
 * low-speed limit (`buildGitEnv`), which counts bytes, so a slow transfer that keeps moving is
 * never cut; it does not watch a connection that never gets going, though (a TLS handshake
 * nobody answers waits out curl's 300 s connect timeout). So git is also stopped when it has
 * printed nothing at all, no output and no progress, within the stall time. Once it has, the
 * low-speed limit alone decides: progress can be quiet for long stretches of a slow transfer.
 * Long transfers therefore ask for `--progress`, which prints from their start.
 */
export async function runRemoteGit(
  baseDir: string,
  options: RemoteGitOptions,
  args: string[],
  remote: string,
  onProgress?: (progress: GitProgress) => void,
): Promise<string> {
  const silence = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // Marks this command's processes (git and the remote helper it starts) in their environment.
  const run = randomBytes(12).toString('hex');
  const git = gitClient(
    baseDir,
    options,
    { [RUN_MARK]: run },
    onProgress,
    silence.signal,
  ).outputHandler((_command, stdout, stderr) => {
    const heard = () => {
      clearTimeout(timer);
      stdout.off('data', heard);
      stderr.off('data', heard);
    };
    timer = setTimeout(() => silence.abort(), options.stallSeconds * 1000);
    stdout.on('data', heard);
    stderr.on('data', heard);
  });
  try {
    return await git.raw(args);
  } catch (error) {
    // SIGINT reaches git alone: its remote helper, still in a TLS handshake nobody answers,
    // would wait out curl's 300 s holding the connection (and the caller's token in its env).
    if (silence.signal.aborted) stopMarked(run);
    if (silence.signal.aborted || CURL_TOO_SLOW.test(String(error)))
      throw new RemoteStalledError(remote, options.stallSeconds, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Git's words for a remote that refused our credentials (or wanted some): curl's HTTP status as
 * git reports it ("The requested URL returned error: 403"), not any 401 or 403 in the text.
 */
const AUTH_FAILURE =
  /authentication failed|could not read username|returned error: 40[13]\b|terminal prompts disabled/i;

/** Whether git's (scrubbed) error text says the remote refused our credentials. */
export function isGitAuthFailure(message: string): boolean {
  return AUTH_FAILURE.test(message);
}

/**
 * A line of git's progress meter ("Writing objects:  40% (2/5)", "remote: Counting objects: 3,
 * done.", "Total 3 (delta 0), reused 0 (delta 0)"): noise in an error message, and full of
 * numbers that a pattern looking for "401" or "403" would take for an HTTP status.
 */
const PROGRESS_LINE =
  /^(remote: +)?((Enumerating|Counting|Compressing|Writing|Receiving|Resolving|Unpacking|Checking|Indexing) [a-z ]+: +\d+(% \(\d+\/\d+\)|,|$)|Total \d+ \(delta \d+\))/;

/**
 * Removes anything that looks like a credential from git's error text before it is shown or
 * logged, and the progress meter's lines.
 */
export function scrubGitMessage(message: string, secrets: readonly string[] = []): string {
  let out = message
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '' && !PROGRESS_LINE.test(line.trim()))
    .join('\n')
    .replace(/(https?:\/\/)[^/@\s]+@/g, '$1***@')
    .replace(/Authorization: \S+ \S+/gi, 'Authorization: ***');
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('***');
  }
  return out.trim();
}

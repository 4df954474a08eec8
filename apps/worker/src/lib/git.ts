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
 * plus `extraEnv` (e.g. GIT_INDEX_FILE for a scratch index).
 */
export function createGit(
  baseDir: string,
  options: GitEnvOptions,
  extraEnv: Record<string, string> = {},
  onProgress?: (progress: GitProgress) => void,
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
  });
  return git.env(env);
}

/** Removes anything that looks like a credential from git's error text before it is shown or logged. */
export function scrubGitMessage(message: string, secrets: readonly string[] = []): string {
  let out = message
    .replace(/(https?:\/\/)[^/@\s]+@/g, '$1***@')
    .replace(/Authorization: \S+ \S+/gi, 'Authorization: ***');
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('***');
  }
  return out.trim();
}

import { loadLocalSecrets, resolveDataDir } from '@grove/config';
import { z } from 'zod';

import { loadChatConfig, type ChatConfig } from './features/chat/chat-config';

/**
 * How long a remote may leave git without a byte (GROVE_GIT_STALL_SECONDS). A git server sends
 * a keepalive every 5 s by default while it prepares a pack or checks a push
 * (uploadpack.keepAlive, receive.keepAlive), so 30 s of nothing is a dead remote. And twice this (a create waiting for
 * the repository's lock behind one that stalls, then stalling itself) is still inside the 120 s
 * the web gives the worker, so the user gets the real error rather than "did not answer".
 */
const GIT_STALL_SECONDS = 30;

const booleanFlag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((value) => value === '1' || value === 'true');

const envSchema = z.object({
  WORKER_HOST: z.string().default('127.0.0.1'),
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  WORKER_SECRET: z.string().min(32, 'WORKER_SECRET must be at least 32 characters').optional(),
  WORKER_NAME: z.string().min(1).max(100).optional(),
  GROVE_DATA_DIR: z.string().optional(),
  GROVE_ALLOW_LOCAL_REPOS: booleanFlag.optional(),
  GROVE_MAX_SESSIONS_PER_REPO: z.coerce.number().int().min(1).max(1000).default(10),
  GROVE_MIRROR_FRESH_SECONDS: z.coerce.number().int().min(0).default(30),
  GROVE_GIT_STALL_SECONDS: z.coerce.number().int().min(1).max(600).default(GIT_STALL_SECONDS),
  GROVE_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  GITHUB_URL: z.url().default('https://github.com'),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  NEXT_PUBLIC_SUPABASE_URL: z.url().optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  GROVE_SYNC_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  GROVE_SYNC_POLL_MS: z.coerce.number().int().min(5).max(60_000).default(100),
  GROVE_SYNC_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  GROVE_SYNC_DEAD_LETTER_AFTER: z.coerce.number().int().min(1).max(1_000).default(5),
  GROVE_WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  GROVE_BUILD_COMMIT: z.string().optional(),
  GROVE_WEB_ORIGIN: z.string().optional(),
  GROVE_ALLOWED_ORIGINS: z.string().optional(),
  GROVE_TERMINAL_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(256 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  GROVE_TERMINAL_GRACE_SECONDS: z.coerce
    .number()
    .min(1)
    .max(7 * 24 * 3600)
    .default(3600),
  GROVE_MAX_TERMINALS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(5),
  GROVE_TERMINAL_SHELL: z.string().optional(),
  GROVE_TERMINAL_HOME: z.string().optional(),
  GROVE_TERMINAL_TICKET_SECONDS: z.coerce.number().min(0.1).max(60).default(60),
  SHELL: z.string().optional(),
});

const originSchema = z.url().transform((value) => new URL(value).origin);

/** GROVE_TERMINAL_HOME value: each user's shells get a HOME of their own (see terminal-home). */
export const PER_USER_HOME = 'per-user';
export interface WorkerConfig {
  host: string;
  port: number;
  name: string;
  mode: 'local' | 'supabase';
  workerSecret: string;
  dataDir: string;
  allowLocalRepos: boolean;
  maxSessionsPerRepo: number;
  mirrorFreshMs: number;
  /** A remote that leaves a git fetch, push or ls-remote without a byte this long has failed. */
  gitStallSeconds: number;
  logLevel: z.infer<typeof envSchema>['GROVE_LOG_LEVEL'];
  githubUrl: string;
  githubApiUrl: string;
  commit: string;
  /** Supabase mode: where the outbox syncs to (service role; bypasses RLS). */
  supabase: { url: string; serviceRoleKey: string } | undefined;
  /** Outbox entries per Supabase round trip, and how often an idle sync loop looks again. */
  sync: {
    batchSize: number;
    idlePollMs: number;
    timeoutMs: number;
    /** Attempts before an entry Supabase refuses for good becomes a dead letter. */
    deadLetterAfter: number;
    /** How often the worker refreshes its own row in Supabase's `workers`. */
    heartbeatMs: number;
  };
  /** Origins allowed to open terminal sockets (the web's, plus GROVE_ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  terminal: {
    bufferBytes: number;
    graceMs: number;
    maxPerUser: number;
    shell: string;
    ticketTtlMs: number;
    /**
     * HOME for terminal shells: a path for everyone, or `per-user` (a folder of each user's own
     * under the data dir, so shell history and dotfiles are not shared). Default: per-user in
     * Supabase mode (many users), the worker's own HOME in local mode (its owner's dotfiles).
     */
    home: string | undefined;
  };
  chat: ChatConfig;
}

/**
 * Reads and validates the worker's environment once. Outside local mode a missing
 * WORKER_SECRET is fatal: the worker must never run unauthenticated.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid worker environment:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  const mode = values.NEXT_PUBLIC_SUPABASE_URL ? 'supabase' : 'local';
  const dataDir = resolveDataDir(values.GROVE_DATA_DIR);
  if (mode === 'supabase' && !values.SUPABASE_SERVICE_ROLE_KEY) {
    throw new Error('SUPABASE_SERVICE_ROLE_KEY is required with NEXT_PUBLIC_SUPABASE_URL');
  }
  let workerSecret = values.WORKER_SECRET;
  if (!workerSecret) {
    if (mode !== 'local') {
      throw new Error('WORKER_SECRET is required outside local mode; refusing to start without it');
    }
    workerSecret = loadLocalSecrets(dataDir).workerSecret;
  }
  return {
    host: values.WORKER_HOST,
    port: values.WORKER_PORT,
    name: values.WORKER_NAME ?? 'local',
    mode,
    workerSecret,
    dataDir,
    allowLocalRepos: values.GROVE_ALLOW_LOCAL_REPOS ?? mode === 'local',
    maxSessionsPerRepo: values.GROVE_MAX_SESSIONS_PER_REPO,
    mirrorFreshMs: values.GROVE_MIRROR_FRESH_SECONDS * 1000,
    gitStallSeconds: values.GROVE_GIT_STALL_SECONDS,
    logLevel: values.GROVE_LOG_LEVEL,
    githubUrl: values.GITHUB_URL.replace(/\/+$/, ''),
    githubApiUrl: values.GITHUB_API_URL.replace(/\/+$/, ''),
    commit: values.GROVE_BUILD_COMMIT ?? 'unknown',
    supabase:
      values.NEXT_PUBLIC_SUPABASE_URL && values.SUPABASE_SERVICE_ROLE_KEY
        ? {
            url: values.NEXT_PUBLIC_SUPABASE_URL.replace(/\/+$/, ''),
            serviceRoleKey: values.SUPABASE_SERVICE_ROLE_KEY,
          }
        : undefined,
    sync: {
      batchSize: values.GROVE_SYNC_BATCH_SIZE,
      idlePollMs: values.GROVE_SYNC_POLL_MS,
      timeoutMs: values.GROVE_SYNC_TIMEOUT_MS,
      deadLetterAfter: values.GROVE_SYNC_DEAD_LETTER_AFTER,
      heartbeatMs: values.GROVE_WORKER_HEARTBEAT_MS,
    },
    allowedOrigins: parseOrigins(values.GROVE_WEB_ORIGIN, values.GROVE_ALLOWED_ORIGINS),
    terminal: {
      bufferBytes: values.GROVE_TERMINAL_BUFFER_BYTES,
      graceMs: values.GROVE_TERMINAL_GRACE_SECONDS * 1000,
      maxPerUser: values.GROVE_MAX_TERMINALS_PER_USER,
      shell: values.GROVE_TERMINAL_SHELL ?? values.SHELL ?? '/bin/bash',
      ticketTtlMs: values.GROVE_TERMINAL_TICKET_SECONDS * 1000,
      home: values.GROVE_TERMINAL_HOME ?? (mode === 'supabase' ? PER_USER_HOME : undefined),
    },
    chat: loadChatConfig(env, dataDir),
  };
}

/** The web's origin (default: the local web app on 127.0.0.1 and localhost) plus any extras. */
function parseOrigins(webOrigin: string | undefined, extra: string | undefined): string[] {
  const given = [webOrigin, ...(extra ?? '').split(',')]
    .map((value) => value?.trim())
    .filter((value): value is string => !!value);
  const list =
    given.length > 0 && webOrigin
      ? given
      : ['http://127.0.0.1:3000', 'http://localhost:3000', ...given];
  return [...new Set(list.map((value) => originSchema.parse(value)))];
}

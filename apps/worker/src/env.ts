import { loadLocalSecrets, resolveDataDir } from '@grove/config';
import { z } from 'zod';

import { loadChatConfig, type ChatConfig } from './features/chat/chat-config';

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
  GROVE_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  GITHUB_URL: z.url().default('https://github.com'),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  NEXT_PUBLIC_SUPABASE_URL: z.url().optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  GROVE_BUILD_COMMIT: z.string().optional(),
});

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
  logLevel: z.infer<typeof envSchema>['GROVE_LOG_LEVEL'];
  githubUrl: string;
  githubApiUrl: string;
  commit: string;
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
    logLevel: values.GROVE_LOG_LEVEL,
    githubUrl: values.GITHUB_URL.replace(/\/+$/, ''),
    githubApiUrl: values.GITHUB_API_URL.replace(/\/+$/, ''),
    commit: values.GROVE_BUILD_COMMIT ?? 'unknown',
    chat: loadChatConfig(env, dataDir),
  };
}

import 'server-only';

import { createHmac } from 'node:crypto';

import { httpOrigin, loadLocalSecrets, resolveDataDir } from '@grove/config';
import { z } from 'zod';

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  GROVE_DATA_DIR: z.string().optional(),
  GROVE_ACCESS_TOKEN: z
    .string()
    .min(16, 'GROVE_ACCESS_TOKEN must be at least 16 characters')
    .optional(),
  WORKER_URL: z.url().optional(),
  WORKER_HOST: z.string().default('127.0.0.1'),
  WORKER_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  WORKER_SECRET: z.string().min(32).optional(),
  WORKER_NAME: z.string().default('local'),
  WORKER_PUBLIC_URL: z.url().optional(),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'ENCRYPTION_KEY must be 64 hex characters')
    .optional(),
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .regex(
      /^[0-9a-fA-F]{64}(,[0-9a-fA-F]{64})*$/,
      'ENCRYPTION_KEY_PREVIOUS: 64-hex keys, comma-separated',
    )
    .optional(),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  GROVE_CHAT_DAILY_BUDGET_USD: z.coerce.number().nonnegative().optional(),
  GITHUB_URL: z.url().default('https://github.com'),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
  NEXT_PUBLIC_SUPABASE_URL: z.url().optional(),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: z.string().min(1).optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  GROVE_ALLOWED_USERS: z
    .string()
    .regex(
      /^\s*[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*\s*$/,
      'GROVE_ALLOWED_USERS: GitHub logins, comma-separated',
    )
    .optional(),
});

export interface WebEnv {
  mode: 'local' | 'supabase';
  host: string;
  port: number;
  dataDir: string;
  accessToken: string;
  workerUrl: string;
  /** Where browsers open terminal sockets (ws:// or wss://): the worker as the browser sees it. */
  workerPublicWsUrl: string;
  workerName: string;
  workerSecret: string;
  sessionSecret: string;
  encryptionKey: string;
  /** Rotated-out keys that still decrypt tokens stored under them. */
  previousEncryptionKeys: string[];
  /** The GitHub OAuth app's credentials, to refresh expiring GitHub user tokens. */
  githubOAuthApp: { clientId: string; clientSecret: string } | undefined;
  /** The worker's daily chat budget, when the operator shares it with the web (display only). */
  chatDailyBudgetUsd: number | undefined;
  githubUrl: string;
  githubApiUrl: string;
  githubToken: string | undefined;
  /** Checks `X-Hub-Signature-256` on GitHub webhooks; unset ⇒ every delivery is refused. */
  githubWebhookSecret: string | undefined;
  supabase: { url: string; anonKey: string; serviceRoleKey: string | undefined } | undefined;
  /**
   * Supabase mode: the GitHub logins (lower case) that may use this Grove; undefined lets every
   * account Supabase Auth signs in. Each user gets a shell on the worker: keep it to people
   * you trust with the worker's machine.
   */
  allowedUsers: ReadonlySet<string> | undefined;
}

let cached: WebEnv | undefined;

/**
 * The web app's validated environment, read once. In local mode the secrets nobody set
 * (access token, worker secret, encryption key) come from `<dataDir>/secrets.json`,
 * generated on first start and shared with the worker.
 */
/**
 * The key local-mode session cookies are signed with: the stored secret bound to the access
 * token, so that a new token (the old one leaked) signs out every browser that used the old one.
 */
export function sessionKey(storedSecret: string, accessToken: string): string {
  return createHmac('sha256', storedSecret).update(`grove-session\0${accessToken}`).digest('hex');
}

export function env(): WebEnv {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid web environment:\n${lines.join('\n')}`);
  }
  const v = parsed.data;
  const mode = v.NEXT_PUBLIC_SUPABASE_URL ? 'supabase' : 'local';
  if (mode === 'supabase' && !v.NEXT_PUBLIC_SUPABASE_ANON_KEY)
    throw new Error('NEXT_PUBLIC_SUPABASE_ANON_KEY is required with NEXT_PUBLIC_SUPABASE_URL');
  if (mode === 'supabase' && (!v.WORKER_SECRET || !v.ENCRYPTION_KEY)) {
    throw new Error('WORKER_SECRET and ENCRYPTION_KEY are required outside local mode');
  }
  const dataDir = resolveDataDir(v.GROVE_DATA_DIR);
  const local = mode === 'local' ? loadLocalSecrets(dataDir) : undefined;
  const accessToken = v.GROVE_ACCESS_TOKEN ?? local?.accessToken ?? '';
  cached = {
    mode,
    host: v.HOST,
    port: v.PORT,
    dataDir,
    accessToken,
    workerUrl: (v.WORKER_URL ?? httpOrigin(v.WORKER_HOST, v.WORKER_PORT)).replace(/\/+$/, ''),
    workerPublicWsUrl: toWebSocketUrl(
      v.WORKER_PUBLIC_URL ?? v.WORKER_URL ?? httpOrigin(v.WORKER_HOST, v.WORKER_PORT),
    ),
    workerName: v.WORKER_NAME,
    workerSecret: v.WORKER_SECRET ?? local!.workerSecret,
    sessionSecret: local ? sessionKey(local.sessionSecret, accessToken) : '',
    encryptionKey: (v.ENCRYPTION_KEY ?? local!.encryptionKey).toLowerCase(),
    previousEncryptionKeys: (v.ENCRYPTION_KEY_PREVIOUS ?? '')
      .split(',')
      .filter(Boolean)
      .map((key) => key.toLowerCase()),
    githubOAuthApp:
      v.GITHUB_CLIENT_ID && v.GITHUB_CLIENT_SECRET
        ? { clientId: v.GITHUB_CLIENT_ID, clientSecret: v.GITHUB_CLIENT_SECRET }
        : undefined,
    chatDailyBudgetUsd: v.GROVE_CHAT_DAILY_BUDGET_USD,
    githubUrl: v.GITHUB_URL.replace(/\/+$/, ''),
    githubApiUrl: v.GITHUB_API_URL.replace(/\/+$/, ''),
    githubToken: v.GITHUB_TOKEN,
    githubWebhookSecret: v.GITHUB_WEBHOOK_SECRET,
    supabase: v.NEXT_PUBLIC_SUPABASE_URL
      ? {
          url: v.NEXT_PUBLIC_SUPABASE_URL,
          anonKey: v.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
          serviceRoleKey: v.SUPABASE_SERVICE_ROLE_KEY,
        }
      : undefined,
    allowedUsers: v.GROVE_ALLOWED_USERS
      ? new Set(v.GROVE_ALLOWED_USERS.split(',').map((login) => login.trim().toLowerCase()))
      : undefined,
  };
  return cached;
}

function toWebSocketUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  return parsed.origin;
}

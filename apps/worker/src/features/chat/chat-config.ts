import path from 'node:path';

import { z } from 'zod';
import { pickEnv } from '../../lib/env-allowlist';
import { ANTHROPIC_API_URL } from './model-gateway';

const booleanFlag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((value) => value === '1' || value === 'true');

const chatEnvSchema = z.object({
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  GROVE_CHAT_MODEL: z.string().min(1).max(100).optional(),
  GROVE_CHAT_DAILY_BUDGET_USD: z.coerce.number().nonnegative().default(25),
  GROVE_CHAT_MESSAGES_PER_HOUR: z.coerce.number().int().min(1).default(100),
  GROVE_CHAT_PERMISSION_TIMEOUT_SECONDS: z.coerce.number().positive().default(300),
  GROVE_CHAT_ALLOW_ALL_TOOLS: booleanFlag.default(false),
  GROVE_CHAT_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
  GROVE_CLAUDE_CODE_PATH: z.string().min(1).optional(),
});

/**
 * Variables the engine process may inherit from the worker. Everything else — the worker
 * secret, GitHub tokens, Supabase keys — never reaches it.
 */
const ENGINE_INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'USER'];

export interface ChatConfig {
  /**
   * The engine's environment (allowlist + quiet flags), to which each run adds the model
   * gateway's address and its own key: the operator's key is never in it (model-gateway.ts).
   */
  engineEnv: Record<string, string>;
  /** The operator's ANTHROPIC_API_KEY: only the model gateway holds it. */
  modelApiKey: string | undefined;
  /** Where the gateway sends the engine's requests (ANTHROPIC_BASE_URL, or Anthropic's API). */
  modelApiUrl: string;
  model: string | undefined;
  claudeCodePath: string | undefined;
  dailyBudgetUsd: number;
  messagesPerHour: number;
  permissionTimeoutMs: number;
  /** Trusted single-user installs: every tool runs without asking. */
  allowAllTools: boolean;
  heartbeatMs: number;
}

export function loadChatConfig(env: NodeJS.ProcessEnv, dataDir: string): ChatConfig {
  const parsed = chatEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid worker environment:\n${lines.join('\n')}`);
  }
  const v = parsed.data;
  const engineEnv = pickEnv(ENGINE_INHERITED_ENV, env);
  Object.assign(engineEnv, {
    // Engine state (transcripts used to resume) lives under the data dir like everything else.
    CLAUDE_CONFIG_DIR: path.join(dataDir, 'engine', 'claude'),
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_AGENT_SDK_CLIENT_APP: 'grove',
  });
  return {
    engineEnv,
    modelApiKey: v.ANTHROPIC_API_KEY,
    modelApiUrl: v.ANTHROPIC_BASE_URL ?? ANTHROPIC_API_URL,
    model: v.GROVE_CHAT_MODEL,
    claudeCodePath: v.GROVE_CLAUDE_CODE_PATH,
    dailyBudgetUsd: v.GROVE_CHAT_DAILY_BUDGET_USD,
    messagesPerHour: v.GROVE_CHAT_MESSAGES_PER_HOUR,
    permissionTimeoutMs: v.GROVE_CHAT_PERMISSION_TIMEOUT_SECONDS * 1000,
    allowAllTools: v.GROVE_CHAT_ALLOW_ALL_TOOLS,
    heartbeatMs: v.GROVE_CHAT_HEARTBEAT_MS,
  };
}

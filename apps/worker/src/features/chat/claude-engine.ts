import { query, type Options, type Query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { PERMISSION_DENIED_MESSAGE } from '@grove/contract';
import type { Logger } from 'pino';

import type { ChatConfig } from './chat-config';
import { spawnEngineProcess } from './engine-process';
import type { ChatEngine, EngineOutput, EngineRunInput } from './engine';
import { startModelGateway, type ModelGateway } from './model-gateway';

/** After an interrupt, how long the engine gets to wind down before its process is killed. */
const INTERRUPT_GRACE_MS = 1_000;

/** The `result` subtype Claude Code ends with when the spend cap was reached. */
const BUDGET_RESULT = 'error_max_budget_usd';

function toolResultContent(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  // Text-only results read better as one string; anything else is passed on as blocks.
  const blocks = content as { type?: string; text?: string }[];
  return blocks.every((b) => b.type === 'text')
    ? blocks.map((b) => b.text ?? '').join('')
    : content;
}

/**
 * The API refused the key (401/403) and Claude Code is about to retry: it would keep retrying
 * for minutes, and a refused key does not start working. The run ends now, saying why.
 */
function refusedKey(message: SDKMessage): EngineOutput | undefined {
  if (message.type !== 'system' || message.subtype !== 'api_retry') return undefined;
  if (message.error_status !== 401 && message.error_status !== 403) return undefined;
  return {
    type: 'error',
    code: 'engine_error',
    message:
      `The model API refused the worker's ANTHROPIC_API_KEY (HTTP ${message.error_status}). ` +
      "Check the key in the worker's environment and restart the worker.",
  };
}

/** Turns one SDK message into contract events. Text comes from the partial stream, live. */
function* translate(message: SDKMessage): Generator<EngineOutput> {
  switch (message.type) {
    case 'system':
      if (message.subtype === 'init')
        yield { type: 'engine_session', engineSessionId: message.session_id };
      return;
    case 'stream_event': {
      if (message.parent_tool_use_id !== null) return;
      const event = message.event;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
        yield { type: 'text', text: event.delta.text };
      return;
    }
    case 'assistant':
      if (message.parent_tool_use_id !== null) return;
      for (const block of message.message.content) {
        if (block.type === 'tool_use')
          yield { type: 'tool_use', id: block.id, name: block.name, input: block.input };
      }
      return;
    case 'user': {
      if (message.parent_tool_use_id !== null) return;
      const content = message.message.content;
      if (!Array.isArray(content)) return;
      for (const block of content) {
        if (block.type === 'tool_result')
          yield {
            type: 'tool_result',
            toolUseId: block.tool_use_id,
            content: toolResultContent(block.content),
            isError: block.is_error === true,
          };
      }
      return;
    }
    case 'result': {
      // modelUsage covers every model call of the run (usage only the main loop's).
      const models = Object.values(message.modelUsage);
      yield {
        type: 'usage',
        inputTokens: models.reduce(
          (n, m) => n + m.inputTokens + m.cacheReadInputTokens + m.cacheCreationInputTokens,
          0,
        ),
        outputTokens: models.reduce((n, m) => n + m.outputTokens, 0),
        costUsd: message.total_cost_usd,
      };
      if (message.subtype === BUDGET_RESULT) {
        yield { type: 'error', code: 'budget_exceeded', message: 'Daily budget reached' };
      } else if (message.subtype !== 'success') {
        yield {
          type: 'error',
          code: 'engine_error',
          message: message.errors.join('; ').slice(0, 2000) || message.subtype,
        };
      } else if (message.is_error) {
        yield { type: 'error', code: 'engine_error', message: message.result.slice(0, 2000) };
      }
      return;
    }
    default:
      return;
  }
}

/**
 * The real Claude Code, through the Agent SDK: cwd = the worktree, the conversation resumed
 * by the engine's own session id, permissions asked through `canUseTool`, an environment
 * built from an allowlist, and no settings files read (a repository's `.claude/` must not
 * grant itself permissions or hooks).
 */
export function createClaudeEngine(config: ChatConfig, logger?: Logger): ChatEngine {
  let gateway: Promise<ModelGateway> | undefined;
  /** Started with the first run; one that failed to start is tried again by the next. */
  const theGateway = (apiKey: string) =>
    (gateway ??= startModelGateway({ apiKey, upstream: config.modelApiUrl, logger }).catch(
      (error: unknown) => {
        gateway = undefined;
        throw error;
      },
    ));
  return {
    name: 'claude-code',
    // The engine's config dir is Grove's own, so no login of the machine's user applies: the
    // key is the only credential it can have. Without it, Claude Code would only answer
    // "Not logged in · Please run /login", which means nothing in Grove.
    unavailable: () =>
      config.modelApiKey
        ? undefined
        : 'The agent is not set up: the worker has no ANTHROPIC_API_KEY. Set it in the ' +
          "worker's environment and restart the worker.",
    async dispose() {
      await (await gateway?.catch(() => undefined))?.close();
    },
    async *run(input: EngineRunInput): AsyncGenerator<EngineOutput> {
      const abortController = new AbortController();
      const models = await theGateway(config.modelApiKey ?? '');
      // This run's key: all the engine (and its Bash tool) ever holds, dead when the run ends.
      const runKey = models.issue();
      const options: Options = {
        cwd: input.cwd,
        env: { ...config.engineEnv, ANTHROPIC_BASE_URL: models.url, ANTHROPIC_API_KEY: runKey.key },
        abortController,
        includePartialMessages: true,
        permissionMode: 'default',
        settingSources: [],
        maxBudgetUsd: input.maxBudgetUsd,
        canUseTool: async (tool, toolInput, { signal }) => {
          const decision = await input.canUseTool(tool, toolInput, signal);
          return decision.allow
            ? { behavior: 'allow', updatedInput: toolInput }
            : { behavior: 'deny', message: decision.message ?? PERMISSION_DENIED_MESSAGE };
        },
        ...(input.resume ? { resume: input.resume } : {}),
        ...(config.model ? { model: config.model } : {}),
        ...(config.claudeCodePath ? { pathToClaudeCodeExecutable: config.claudeCodePath } : {}),
        // Dies with the worker (see engine-process.ts).
        spawnClaudeCodeProcess: (spawnOptions) =>
          spawnEngineProcess(spawnOptions, (stderr) => {
            logger?.warn(
              { cwd: input.cwd, stderr: stderr.replaceAll(runKey.key, '[redacted]') },
              'the agent engine exited with an error',
            );
          }),
      };
      let run: Query;
      try {
        run = query({ prompt: input.prompt, options });
      } catch (error) {
        runKey.revoke();
        throw error;
      }
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        // Ask politely first; the process goes for good if it has not ended by then.
        run.interrupt().catch(() => abortController.abort());
        killTimer = setTimeout(() => abortController.abort(), INTERRUPT_GRACE_MS);
      };
      if (input.signal.aborted) onAbort();
      else input.signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const message of run) {
          const refused = refusedKey(message);
          if (refused) {
            yield refused;
            return;
          }
          yield* translate(message);
        }
      } catch (error) {
        if (!input.signal.aborted) throw error;
      } finally {
        input.signal.removeEventListener('abort', onAbort);
        clearTimeout(killTimer);
        run.close();
        runKey.revoke();
      }
    },
  };
}

import type { ChatEvent } from '@grove/contract';

/**
 * Events an engine produces; the run manager adds `run`, `permission_request` and `done`.
 * `usage` is the running total of the engine session (resumed sessions included): the run
 * manager turns it into per-run figures.
 */
export type EngineChatEvent = Extract<
  ChatEvent,
  { type: 'text' | 'tool_use' | 'tool_result' | 'usage' | 'error' }
>;

/** What an engine yields: chat events, plus its own session id so the next message resumes it. */
export type EngineOutput = EngineChatEvent | { type: 'engine_session'; engineSessionId: string };

export interface ToolDecision {
  allow: boolean;
  message?: string;
}

export interface EngineRunInput {
  prompt: string;
  /** The session's worktree: the engine works there and nowhere else. */
  cwd: string;
  /** The engine's session id from the previous run of this conversation, if any. */
  resume: string | undefined;
  /** Aborted on stop, budget or shutdown; the engine must end promptly. */
  signal: AbortSignal;
  /** Spend cap for this run in USD (what is left of the user's daily budget). */
  maxBudgetUsd: number;
  /** Asked before any tool runs; may wait for the user. */
  canUseTool: (
    tool: string,
    input: Record<string, unknown>,
    signal: AbortSignal,
  ) => Promise<ToolDecision>;
}

/**
 * A coding agent behind one small interface, so another engine (Codex CLI, the plain
 * Anthropic API) can be added without touching runs, storage or streaming.
 */
export interface ChatEngine {
  readonly name: string;
  /**
   * Why this engine cannot run at all as configured (no credentials, say), checked before a
   * run is stored; undefined when it can.
   */
  unavailable?: () => string | undefined;
  run: (input: EngineRunInput) => AsyncIterable<EngineOutput>;
  /** Releases what the engine holds beyond its runs (the worker is shutting down). */
  dispose?: () => Promise<void>;
}

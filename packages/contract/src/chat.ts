import { z } from 'zod';

import { sessionIdSchema } from './sessions';

/** A chat message the user sends; long enough for pasted code, short enough to bound a run. */
export const CHAT_MESSAGE_MAX_CHARS = 100_000;

export const chatRequestBodySchema = z.object({
  sessionId: sessionIdSchema,
  message: z.string().trim().min(1, 'message is required').max(CHAT_MESSAGE_MAX_CHARS),
});
export type ChatRequestBody = z.infer<typeof chatRequestBodySchema>;

export const permissionRequestIdSchema = z
  .string()
  .regex(/^[a-z0-9]{10,32}$/, 'is not a request id');

export const chatPermissionBodySchema = z.object({
  requestId: permissionRequestIdSchema,
  allow: z.boolean(),
});
export type ChatPermissionBody = z.infer<typeof chatPermissionBodySchema>;

/** `Last-Event-ID`: the id of the last event the client saw (ids start at 1). */
export const lastEventIdSchema = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const chatRunEventSchema = z.object({ type: z.literal('run'), runId: z.string() });
export const chatTextEventSchema = z.object({ type: z.literal('text'), text: z.string() });
export const chatToolUseEventSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
export const chatToolResultEventSchema = z.object({
  type: z.literal('tool_result'),
  toolUseId: z.string(),
  content: z.unknown(),
  isError: z.boolean(),
});
export const chatPermissionRequestEventSchema = z.object({
  type: z.literal('permission_request'),
  requestId: z.string(),
  tool: z.string(),
  input: z.unknown(),
});
export const chatUsageEventSchema = z.object({
  type: z.literal('usage'),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export const chatErrorEventSchema = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
});
export const chatDoneEventSchema = z.object({ type: z.literal('done') });

/** The `data:` of one chat SSE event. `done` is always last. */
export const chatEventSchema = z.discriminatedUnion('type', [
  chatRunEventSchema,
  chatTextEventSchema,
  chatToolUseEventSchema,
  chatToolResultEventSchema,
  chatPermissionRequestEventSchema,
  chatUsageEventSchema,
  chatErrorEventSchema,
  chatDoneEventSchema,
]);
export type ChatEvent = z.infer<typeof chatEventSchema>;
export type ChatEventType = ChatEvent['type'];

/** Error codes a chat `error` event carries (beyond the HTTP error codes). */
export const CHAT_ERROR_CODES = [
  'interrupted',
  'stopped',
  'budget_exceeded',
  'engine_error',
] as const;

export const CHAT_RUN_STATUSES = [
  'running',
  'completed',
  'failed',
  'stopped',
  'interrupted',
] as const;
export const chatRunStatusSchema = z.enum(CHAT_RUN_STATUSES);
export type ChatRunStatus = z.infer<typeof chatRunStatusSchema>;

export const chatToolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
  result: z.unknown().optional(),
  isError: z.boolean().optional(),
});

/** What the engine is told when a tool call is refused (and so what its tool result says). */
export const PERMISSION_DENIED_MESSAGE = 'The user denied this tool call';
export const PERMISSION_TIMED_OUT_MESSAGE = 'Nobody answered the permission request in time';
/** …when the run is stopped (or the worker shuts down) while the request waits for an answer. */
export const PERMISSION_STOPPED_MESSAGE = 'The run was stopped before the tool call was answered';
/**
 * How Claude Code itself words the result of a tool call it did not run because it was
 * refused or interrupted (a stop can reach the engine before the refusal does).
 */
export const ENGINE_REFUSED_MESSAGE = "The user doesn't want to proceed with this tool use";

/**
 * An answer's pieces in the order they happened: text, a tool call (by id, see `toolCalls`),
 * a permission the agent asked for and what became of it.
 */
export const chatMessagePartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('tool'), toolUseId: z.string() }),
  z.object({
    type: z.literal('permission'),
    requestId: z.string(),
    tool: z.string(),
    input: z.unknown(),
    answer: z.enum(['allowed', 'denied']).optional(),
  }),
]);
export type ChatMessagePart = z.infer<typeof chatMessagePartSchema>;

/**
 * One entry of a session's history: each run is the user's message and the assistant's
 * answer (its text, tool calls, usage and how it ended; `parts` keeps their order).
 */
export const chatMessageSchema = z.object({
  id: z.string(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  createdAt: z.string(),
  runId: z.string(),
  status: chatRunStatusSchema.optional(),
  toolCalls: z.array(chatToolCallSchema).optional(),
  parts: z.array(chatMessagePartSchema).optional(),
  usage: chatUsageEventSchema.omit({ type: true }).optional(),
  error: chatErrorEventSchema.omit({ type: true }).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** Whether the worker can run the agent now; `message` says what is missing when it cannot. */
export const chatEngineStatusSchema = z.object({
  ready: z.boolean(),
  message: z.string().optional(),
});
export type ChatEngineStatus = z.infer<typeof chatEngineStatusSchema>;

export const chatMessagesResponseSchema = z.object({
  messages: z.array(chatMessageSchema),
  /** An addition: the worker's answer carries it (a history read from Supabase does not). */
  engine: chatEngineStatusSchema.optional(),
});
export const chatStopResponseSchema = z.object({ stopped: z.boolean() });
export const chatPermissionResponseSchema = z.object({ ok: z.literal(true) });

/** Headers every chat SSE response carries, so no proxy buffers or transforms it. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
  connection: 'keep-alive',
} as const;

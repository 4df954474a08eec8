import {
  ENGINE_REFUSED_MESSAGE,
  PERMISSION_DENIED_MESSAGE,
  PERMISSION_STOPPED_MESSAGE,
  PERMISSION_TIMED_OUT_MESSAGE,
  type ChatEvent,
  type ChatMessage,
  type ChatMessagePart,
  type ChatRunStatus,
} from './chat';

/** A run as both stores keep it (the worker's SQLite row, Supabase's `conversations.runs`). */
export interface ChatHistoryRun {
  id: string;
  prompt: string;
  status: ChatRunStatus;
  startedAt: string;
  endedAt: string | null;
}

type ToolCall = NonNullable<ChatMessage['toolCalls']>[number];

/**
 * Between two text blocks of one answer. Text events are the model's deltas, so a block
 * boundary shows only as something else (a tool call, its result, a permission prompt)
 * arriving in between; without a separator "…now." and "Done:" would run together.
 */
export const TEXT_BLOCK_SEPARATOR = '\n\n';

/** What a refused (never run) tool call's result says, whoever refused it. */
const REFUSALS = [
  PERMISSION_DENIED_MESSAGE,
  PERMISSION_TIMED_OUT_MESSAGE,
  PERMISSION_STOPPED_MESSAGE,
  ENGINE_REFUSED_MESSAGE,
];

/**
 * What became of a permission, read from the result of the tool call it was for: refused
 * calls (denied, unanswered, cut off by a stop) come back as an error carrying a refusal's
 * message; anything else ran, an error included (a command that failed still ran).
 */
export function permissionAnswer(result: {
  content: unknown;
  isError: boolean;
}): 'allowed' | 'denied' {
  if (!result.isError) return 'allowed';
  const text =
    typeof result.content === 'string' ? result.content : JSON.stringify(result.content ?? '');
  return REFUSALS.some((refusal) => text.includes(refusal)) ? 'denied' : 'allowed';
}

/**
 * A session's history as messages: per run, the user's message and the assistant's answer
 * (text, tool calls with their results, usage, how it ended), built from the stored events
 * in event-id order — so a run cut short reads exactly as far as it got. Shared so the
 * worker (SQLite) and the web (Supabase's synced copy) build the very same answer.
 */
export function buildChatHistory(
  runs: readonly ChatHistoryRun[],
  events: readonly { runId: string; event: ChatEvent }[],
): ChatMessage[] {
  const byRun = new Map<string, ChatEvent[]>();
  for (const stored of events) {
    const list = byRun.get(stored.runId) ?? [];
    list.push(stored.event);
    byRun.set(stored.runId, list);
  }
  const messages: ChatMessage[] = [];
  for (const run of runs) {
    messages.push({
      id: `${run.id}-user`,
      role: 'user',
      content: run.prompt,
      createdAt: run.startedAt,
      runId: run.id,
    });
    let text = '';
    // Set by any non-text event: the next text starts a new block.
    let blockEnded = false;
    const toolCalls = new Map<string, ToolCall>();
    const parts: ChatMessagePart[] = [];
    let usage: ChatMessage['usage'];
    let error: ChatMessage['error'];
    for (const event of byRun.get(run.id) ?? []) {
      if (event.type === 'text') {
        if (!event.text) continue;
        const newBlock = blockEnded && text.trim() !== '';
        blockEnded = false;
        text = newBlock
          ? `${text.trimEnd()}${TEXT_BLOCK_SEPARATOR}${event.text.trimStart()}`
          : text + event.text;
        const tail = parts.at(-1);
        if (tail?.type === 'text') tail.text += event.text;
        else parts.push({ type: 'text', text: event.text });
        continue;
      }
      if (event.type !== 'run') blockEnded = true;
      if (event.type === 'tool_use') {
        toolCalls.set(event.id, { id: event.id, name: event.name, input: event.input });
        parts.push({ type: 'tool', toolUseId: event.id });
      } else if (event.type === 'permission_request') {
        const { requestId, tool, input } = event;
        parts.push({ type: 'permission', requestId, tool, input });
      } else if (event.type === 'tool_result') {
        const call = toolCalls.get(event.toolUseId);
        if (call) Object.assign(call, { result: event.content, isError: event.isError });
        // The permission asked for this call (after it, for its tool) is settled by its result.
        const at = parts.findIndex((p) => p.type === 'tool' && p.toolUseId === event.toolUseId);
        const asked = parts.findLast(
          (p, index): p is Extract<ChatMessagePart, { type: 'permission' }> =>
            index > at && p.type === 'permission' && p.tool === call?.name && !p.answer,
        );
        if (at >= 0 && asked) asked.answer = permissionAnswer(event);
      } else if (event.type === 'usage')
        usage = {
          inputTokens: event.inputTokens,
          outputTokens: event.outputTokens,
          costUsd: event.costUsd,
        };
      else if (event.type === 'error') error = { code: event.code, message: event.message };
    }
    messages.push({
      id: `${run.id}-assistant`,
      role: 'assistant',
      content: text,
      createdAt: run.endedAt ?? run.startedAt,
      runId: run.id,
      status: run.status,
      toolCalls: [...toolCalls.values()],
      parts,
      ...(usage ? { usage } : {}),
      ...(error ? { error } : {}),
    });
  }
  return messages;
}

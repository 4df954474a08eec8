import type { ChatEvent, ChatMessage, ChatRunStatus } from './chat';

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
        continue;
      }
      if (event.type !== 'run') blockEnded = true;
      if (event.type === 'tool_use')
        toolCalls.set(event.id, { id: event.id, name: event.name, input: event.input });
      else if (event.type === 'tool_result') {
        const call = toolCalls.get(event.toolUseId);
        if (call) Object.assign(call, { result: event.content, isError: event.isError });
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
      ...(usage ? { usage } : {}),
      ...(error ? { error } : {}),
    });
  }
  return messages;
}

import type { ChatMessage } from '@grove/contract';

import type { ChatRunRow, StoredEvent } from './chat-store';

type ToolCall = NonNullable<ChatMessage['toolCalls']>[number];

/**
 * Between two text blocks of one answer. Text events are the model's deltas, so a block
 * boundary shows only as something else (a tool call, its result, a permission prompt)
 * arriving in between; without a separator "…now." and "Done:" would run together.
 */
export const TEXT_BLOCK_SEPARATOR = '\n\n';

/**
 * A session's history as messages, built from what was stored: per run, the user's message
 * and the assistant's answer (text, tool calls with their results, usage, how it ended).
 * Built from the events, so a run cut short by a crash reads exactly as far as it got.
 */
export function buildHistory(runs: ChatRunRow[], events: StoredEvent[]): ChatMessage[] {
  const byRun = new Map<string, StoredEvent[]>();
  for (const stored of events) {
    const list = byRun.get(stored.runId) ?? [];
    list.push(stored);
    byRun.set(stored.runId, list);
  }
  const messages: ChatMessage[] = [];
  for (const run of runs) {
    messages.push({
      id: `${run.id}-user`,
      role: 'user',
      content: run.prompt,
      createdAt: run.started_at,
      runId: run.id,
    });
    let text = '';
    // Set by any non-text event: the next text starts a new block.
    let blockEnded = false;
    const toolCalls = new Map<string, ToolCall>();
    let usage: ChatMessage['usage'];
    let error: ChatMessage['error'];
    for (const { event } of byRun.get(run.id) ?? []) {
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
      createdAt: run.ended_at ?? run.started_at,
      runId: run.id,
      status: run.status,
      toolCalls: [...toolCalls.values()],
      ...(usage ? { usage } : {}),
      ...(error ? { error } : {}),
    });
  }
  return messages;
}

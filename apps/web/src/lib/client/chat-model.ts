import type { ChatEvent, ChatMessage, ChatRunStatus } from '@grove/contract';

export type AssistantPart =
  | { kind: 'text'; text: string }
  | {
      kind: 'tool';
      id: string;
      name: string;
      input: unknown;
      result?: unknown;
      isError?: boolean;
    }
  | {
      kind: 'permission';
      requestId: string;
      tool: string;
      input: unknown;
      answer?: 'allowed' | 'denied';
    };

export type ChatItem =
  | { kind: 'user'; id: string; text: string }
  | {
      kind: 'assistant';
      runId: string;
      parts: AssistantPart[];
      status: ChatRunStatus;
      usage?: { inputTokens: number; outputTokens: number; costUsd: number };
      error?: { code: string; message: string };
    };

type Assistant = Extract<ChatItem, { kind: 'assistant' }>;

/** The transcript as stored: each run is the user's message and the assistant's answer. */
export function itemsFromHistory(messages: ChatMessage[]): ChatItem[] {
  return messages.map((message): ChatItem => {
    if (message.role === 'user') return { kind: 'user', id: message.id, text: message.content };
    const parts: AssistantPart[] = (message.toolCalls ?? []).map((call) => ({
      kind: 'tool',
      id: call.id,
      name: call.name,
      input: call.input,
      result: call.result,
      ...(call.isError === undefined ? {} : { isError: call.isError }),
    }));
    if (message.content) parts.push({ kind: 'text', text: message.content });
    return {
      kind: 'assistant',
      runId: message.runId,
      parts,
      status: message.status ?? 'completed',
      ...(message.usage ? { usage: message.usage } : {}),
      ...(message.error ? { error: message.error } : {}),
    };
  });
}

function updateLastAssistant(items: ChatItem[], update: (a: Assistant) => Assistant): ChatItem[] {
  const index = items.findLastIndex((item) => item.kind === 'assistant');
  if (index < 0) return items;
  const next = items.slice();
  next[index] = update(items[index] as Assistant);
  return next;
}

/** Folds one chat SSE event into the transcript (pure, so a replay rebuilds the same view). */
export function applyChatEvent(items: ChatItem[], event: ChatEvent): ChatItem[] {
  switch (event.type) {
    case 'run': {
      const last = items.at(-1);
      if (last?.kind === 'assistant' && last.runId === event.runId) return items;
      return [...items, { kind: 'assistant', runId: event.runId, parts: [], status: 'running' }];
    }
    case 'text':
      return updateLastAssistant(items, (a) => {
        const parts = a.parts.slice();
        const tail = parts.at(-1);
        if (tail?.kind === 'text')
          parts[parts.length - 1] = { ...tail, text: tail.text + event.text };
        else parts.push({ kind: 'text', text: event.text });
        return { ...a, parts };
      });
    case 'tool_use':
      return updateLastAssistant(items, (a) => ({
        ...a,
        parts: [...a.parts, { kind: 'tool', id: event.id, name: event.name, input: event.input }],
      }));
    case 'tool_result':
      return updateLastAssistant(items, (a) => ({
        ...a,
        parts: a.parts.map((part) =>
          part.kind === 'tool' && part.id === event.toolUseId
            ? { ...part, result: event.content, isError: event.isError }
            : part,
        ),
      }));
    case 'permission_request':
      return updateLastAssistant(items, (a) => ({
        ...a,
        parts: [
          ...a.parts,
          { kind: 'permission', requestId: event.requestId, tool: event.tool, input: event.input },
        ],
      }));
    case 'usage':
      return updateLastAssistant(items, (a) => ({
        ...a,
        usage: {
          inputTokens: event.inputTokens,
          outputTokens: event.outputTokens,
          costUsd: event.costUsd,
        },
      }));
    case 'error':
      return updateLastAssistant(items, (a) => ({
        ...a,
        error: { code: event.code, message: event.message },
      }));
    case 'done':
      return updateLastAssistant(items, (a) => ({
        ...a,
        status: !a.error
          ? 'completed'
          : a.error.code === 'stopped' || a.error.code === 'interrupted'
            ? a.error.code
            : 'failed',
      }));
  }
}

/** Records the user's answer to a permission prompt. */
export function answerPermission(
  items: ChatItem[],
  requestId: string,
  answer: 'allowed' | 'denied',
): ChatItem[] {
  return items.map((item) =>
    item.kind !== 'assistant'
      ? item
      : {
          ...item,
          parts: item.parts.map((part) =>
            part.kind === 'permission' && part.requestId === requestId ? { ...part, answer } : part,
          ),
        },
  );
}

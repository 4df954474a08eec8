import {
  permissionAnswer,
  type ChatEvent,
  type ChatMessage,
  type ChatRunStatus,
} from '@grove/contract';

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
    const calls = new Map((message.toolCalls ?? []).map((call) => [call.id, call]));
    const toolPart = (call: NonNullable<ChatMessage['toolCalls']>[number]): AssistantPart => ({
      kind: 'tool',
      id: call.id,
      name: call.name,
      input: call.input,
      result: call.result,
      ...(call.isError === undefined ? {} : { isError: call.isError }),
    });
    let parts: AssistantPart[];
    if (message.parts) {
      // In the order it happened: text, calls and permissions interleaved.
      parts = message.parts.flatMap((part): AssistantPart[] => {
        if (part.type === 'text') return [{ kind: 'text', text: part.text }];
        if (part.type === 'permission') {
          const { requestId, tool, input, answer } = part;
          return [{ kind: 'permission', requestId, tool, input, ...(answer ? { answer } : {}) }];
        }
        const call = calls.get(part.toolUseId);
        return call ? [toolPart(call)] : [];
      });
    } else {
      // A history from before parts were kept: the calls, then the text.
      parts = [...calls.values()].map(toolPart);
      if (message.content) parts.push({ kind: 'text', text: message.content });
    }
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
      return updateLastAssistant(items, (a) => {
        const at = a.parts.findIndex((p) => p.kind === 'tool' && p.id === event.toolUseId);
        const call = a.parts[at];
        // The permission asked for this call (after it, for its tool) is settled by its result:
        // a replay after a reload knows what was answered without having seen the answer.
        const asked = a.parts.findLastIndex(
          (p, index) =>
            index > at &&
            p.kind === 'permission' &&
            call?.kind === 'tool' &&
            p.tool === call.name &&
            !p.answer,
        );
        return {
          ...a,
          parts: a.parts.map((part, index) => {
            if (index === at && part.kind === 'tool')
              return { ...part, result: event.content, isError: event.isError };
            if (at >= 0 && index === asked && part.kind === 'permission')
              return { ...part, answer: permissionAnswer(event) };
            return part;
          }),
        };
      });
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

/** Whether the transcript ends with an answer still being written (a run going). */
export function isRunning(items: ChatItem[]): boolean {
  const last = items.at(-1);
  return last?.kind === 'assistant' && last.status === 'running';
}

/**
 * The one rule for sending, the Send button's and Ctrl/Cmd+Enter's alike: something to send,
 * no run going (the worker would refuse it: one run per session) and none being started.
 */
export function canSend(items: ChatItem[], draft: string, sending: boolean): boolean {
  return draft.trim() !== '' && !sending && !isRunning(items);
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

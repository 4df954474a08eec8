import { buildChatHistory, PERMISSION_DENIED_MESSAGE, type ChatEvent } from '@grove/contract';
import { describe, expect, it } from 'vitest';

import { applyChatEvent, canSend, itemsFromHistory, type ChatItem } from './chat-model';

const fold = (events: ChatEvent[], start: ChatItem[] = []) => events.reduce(applyChatEvent, start);

describe('chat model', () => {
  it('builds an assistant answer from a run: text deltas, a tool call and its result, usage', () => {
    const items = fold([
      { type: 'run', runId: 'r1' },
      { type: 'text', text: 'Writing ' },
      { type: 'text', text: 'it.' },
      { type: 'tool_use', id: 't1', name: 'Write', input: { file_path: 'a' } },
      { type: 'tool_result', toolUseId: 't1', content: 'ok', isError: false },
      { type: 'text', text: 'Done.' },
      { type: 'usage', inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
      { type: 'done' },
    ]);
    expect(items).toEqual([
      {
        kind: 'assistant',
        runId: 'r1',
        status: 'completed',
        usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
        parts: [
          { kind: 'text', text: 'Writing it.' },
          {
            kind: 'tool',
            id: 't1',
            name: 'Write',
            input: { file_path: 'a' },
            result: 'ok',
            isError: false,
          },
          { kind: 'text', text: 'Done.' },
        ],
      },
    ]);
  });

  it('marks a stopped run, and does not duplicate a run replayed from its run event', () => {
    const first = fold([{ type: 'run', runId: 'r2' }]);
    const items = fold(
      [
        { type: 'run', runId: 'r2' },
        { type: 'error', code: 'stopped', message: 'Stopped' },
        { type: 'done' },
      ],
      first,
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'stopped', error: { code: 'stopped' } });
  });

  it('reads history messages', () => {
    const items = itemsFromHistory([
      { id: 'm1', role: 'user', content: 'hi', createdAt: '', runId: 'r' },
      {
        id: 'm2',
        role: 'assistant',
        content: 'hello',
        createdAt: '',
        runId: 'r',
        status: 'completed',
        toolCalls: [{ id: 't', name: 'Read', input: {}, result: 'x', isError: false }],
      },
    ]);
    expect(items[0]).toEqual({ kind: 'user', id: 'm1', text: 'hi' });
    expect(items[1]).toMatchObject({
      kind: 'assistant',
      parts: [
        { kind: 'tool', name: 'Read' },
        { kind: 'text', text: 'hello' },
      ],
    });
  });

  it('shows a reloaded answer as it streamed: same order, same permission answers', () => {
    const events: ChatEvent[] = [
      { type: 'run', runId: 'r1' },
      { type: 'text', text: 'I will ' },
      { type: 'text', text: 'check.' },
      { type: 'tool_use', id: 'b1', name: 'Bash', input: { command: 'ls' } },
      { type: 'permission_request', requestId: 'p1', tool: 'Bash', input: { command: 'ls' } },
      { type: 'tool_result', toolUseId: 'b1', content: 'README.md', isError: false },
      { type: 'tool_use', id: 'b2', name: 'Bash', input: { command: 'rm -r x' } },
      { type: 'permission_request', requestId: 'p2', tool: 'Bash', input: { command: 'rm -r x' } },
      {
        type: 'tool_result',
        toolUseId: 'b2',
        content: [{ type: 'text', text: PERMISSION_DENIED_MESSAGE }],
        isError: true,
      },
      { type: 'text', text: 'Done.' },
      { type: 'done' },
    ];
    const live = fold(events);
    const history = itemsFromHistory(
      buildChatHistory(
        [{ id: 'r1', prompt: 'go', status: 'completed', startedAt: '', endedAt: '' }],
        events.map((event) => ({ runId: 'r1', event })),
      ),
    );
    const shape = (items: ChatItem[]) =>
      items.flatMap((item) =>
        item.kind === 'assistant'
          ? item.parts.map((p) =>
              p.kind === 'text'
                ? `text:${p.text}`
                : p.kind === 'tool'
                  ? `tool:${p.id}`
                  : `permission:${p.answer}`,
            )
          : [],
      );
    expect(shape(live)).toEqual([
      'text:I will check.',
      'tool:b1',
      'permission:allowed',
      'tool:b2',
      'permission:denied',
      'text:Done.',
    ]);
    expect(shape(history)).toEqual(shape(live));
  });

  it('sends only a message, and never while a run goes or is being started', () => {
    const running = fold([{ type: 'run', runId: 'r1' }]);
    const ended = fold([{ type: 'done' }], running);
    expect(canSend([], 'hi', false)).toBe(true);
    expect(canSend([], '  \n', false)).toBe(false);
    expect(canSend([], 'hi', true)).toBe(false);
    expect(canSend(running, 'hi', false)).toBe(false);
    expect(canSend(ended, 'hi', false)).toBe(true);
    expect(canSend([...ended, { kind: 'user', id: 'u', text: 'more' }], 'hi', false)).toBe(true);
  });
});

import type { ChatEvent } from '@grove/contract';
import { describe, expect, it } from 'vitest';

import { TEXT_BLOCK_SEPARATOR } from '@grove/contract';

import { buildHistory } from './chat-history';
import type { ChatRunRow } from './chat-store';

const run: ChatRunRow = {
  id: 'run1',
  session_id: 's1',
  user_id: 'u1',
  prompt: 'do it',
  status: 'completed',
  first_event_id: 1,
  input_tokens: 0,
  output_tokens: 0,
  cost_usd: 0,
  started_at: '2026-01-01T00:00:00.000Z',
  ended_at: '2026-01-01T00:00:01.000Z',
};

function answerOf(events: ChatEvent[]): string {
  const stored = events.map((event, i) => ({ id: i + 1, runId: run.id, event }));
  return buildHistory([run], stored).find((m) => m.role === 'assistant')!.content;
}

describe('buildHistory', () => {
  it('joins the deltas of one text block as they came', () => {
    expect(
      answerOf([
        { type: 'run', runId: run.id },
        { type: 'text', text: 'Writing the ' },
        { type: 'text', text: 'file now.' },
        { type: 'done' },
      ]),
    ).toBe('Writing the file now.');
  });

  it('separates text blocks that a tool call came between', () => {
    const content = answerOf([
      { type: 'run', runId: run.id },
      { type: 'text', text: 'I will write the file now.' },
      { type: 'tool_use', id: 't1', name: 'Write', input: { file_path: 'a.txt' } },
      { type: 'tool_result', toolUseId: 't1', content: 'ok', isError: false },
      { type: 'text', text: 'Done: ' },
      { type: 'text', text: 'a.txt exists.' },
      { type: 'usage', inputTokens: 1, outputTokens: 1, costUsd: 0 },
      { type: 'done' },
    ]);
    expect(content).toBe(`I will write the file now.${TEXT_BLOCK_SEPARATOR}Done: a.txt exists.`);
    expect(content).not.toContain('now.Done');
  });

  it('adds no separator before the first text or when a block already ends a paragraph', () => {
    expect(
      answerOf([
        { type: 'run', runId: run.id },
        { type: 'tool_use', id: 't1', name: 'Read', input: {} },
        { type: 'text', text: 'First.\n\n' },
        { type: 'tool_use', id: 't2', name: 'Read', input: {} },
        { type: 'text', text: '\nSecond.' },
      ]),
    ).toBe('First.\n\nSecond.');
  });
});

import type { ChatMessage } from '@grove/contract';
import { describe, expect, it } from 'vitest';

import { mergeHistory } from './merge-history';

function run(id: string, at: string, answer: string): ChatMessage[] {
  return [
    { id: `${id}-user`, role: 'user', content: `ask ${id}`, createdAt: at, runId: id },
    { id: `${id}-assistant`, role: 'assistant', content: answer, createdAt: at, runId: id },
  ];
}

describe('mergeHistory', () => {
  it('answers from whichever side answered, or nothing', () => {
    expect(mergeHistory(undefined, undefined)).toBeUndefined();
    expect(mergeHistory(run('a', '2026-01-01T00:00:00Z', 'x'), undefined)?.source).toBe('supabase');
    expect(mergeHistory(undefined, [])?.source).toBe('worker');
  });

  it('keeps what the worker has that Supabase does not yet (just sent) and the newer answer', () => {
    const synced = run('a', '2026-01-01T00:00:00Z', 'partial');
    const worker = [
      ...run('a', '2026-01-01T00:00:00Z', 'partial, then whole'),
      ...run('b', '2026-01-01T00:01:00Z', 'new'),
    ];
    const merged = mergeHistory(synced, worker)!;
    expect(merged.source).toBe('supabase+worker');
    expect(merged.messages.map((m) => [m.id, m.content])).toEqual([
      ['a-user', 'ask a'],
      ['a-assistant', 'partial, then whole'],
      ['b-user', 'ask b'],
      ['b-assistant', 'new'],
    ]);
  });

  it('keeps a run only Supabase still has, in time order', () => {
    const synced = run('old', '2026-01-01T00:00:00Z', 'kept');
    const merged = mergeHistory(synced, run('b', '2026-01-02T00:00:00Z', 'new'))!;
    expect(merged.messages.map((m) => m.runId)).toEqual(['old', 'old', 'b', 'b']);
  });
});

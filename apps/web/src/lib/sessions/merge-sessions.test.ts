import type { Session } from '@grove/contract';
import { describe, expect, it } from 'vitest';

import { sessionFixture } from '@/testing/session-fixture';

import { mergeSessions } from './merge-sessions';

const session = (id: string, updatedAt: string, status: Session['status'] = 'active'): Session =>
  sessionFixture({ id, updatedAt, status });

describe('mergeSessions', () => {
  it('uses Supabase alone when the worker does not answer', () => {
    const synced = [session('a', '2026-01-01T00:00:01.000Z')];
    expect(mergeSessions(synced, undefined)).toEqual({ sessions: synced, source: 'supabase' });
  });

  it('shows what the user just created even before it is synced', () => {
    const worker = [
      session('new', '2026-01-01T00:00:05.000Z'),
      session('a', '2026-01-01T00:00:01.000Z'),
    ];
    const merged = mergeSessions([session('a', '2026-01-01T00:00:01.000Z')], worker);
    expect(merged?.sessions.map((s) => s.id)).toEqual(['new', 'a']);
    expect(merged?.source).toBe('supabase+worker');
  });

  it('drops what the worker deleted and keeps the newer copy of each session', () => {
    const merged = mergeSessions(
      [
        session('gone', '2026-01-01T00:00:01.000Z'),
        session('a', '2026-01-01T00:00:09.000Z', 'connected'),
      ],
      [session('a', '2026-01-01T00:00:02.000Z')],
    );
    expect(merged?.sessions).toEqual([session('a', '2026-01-01T00:00:09.000Z', 'connected')]);
  });

  it('has nothing when neither answers', () => {
    expect(mergeSessions(undefined, undefined)).toBeUndefined();
  });
});

import { buildChatHistory, type ChatMessage } from '@grove/contract';

import type { ChatRunRow, StoredEvent } from './chat-store';

/** A session's history from SQLite (the builder is shared with the web's Supabase read). */
export function buildHistory(runs: ChatRunRow[], events: StoredEvent[]): ChatMessage[] {
  return buildChatHistory(
    runs.map((run) => ({
      id: run.id,
      prompt: run.prompt,
      status: run.status,
      startedAt: run.started_at,
      endedAt: run.ended_at,
    })),
    events,
  );
}

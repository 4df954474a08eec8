import 'server-only';

import {
  buildChatHistory,
  chatEventSchema,
  chatRunStatusSchema,
  type ChatMessage,
} from '@grove/contract';
import { z } from 'zod';

import { createClient } from '@/lib/supabase/server';

/** A Supabase read slower than this is not waited for: the worker's answer is used. */
const SUPABASE_READ_TIMEOUT_MS = 2_000;

const conversationSchema = z.object({
  runs: z.array(
    z.object({
      id: z.string(),
      prompt: z.string(),
      status: chatRunStatusSchema,
      startedAt: z.string(),
      endedAt: z.string().nullable(),
    }),
  ),
});
const eventRowsSchema = z.array(z.object({ run_id: z.string(), data: chatEventSchema }));

/**
 * A session's chat history from Supabase's synced copy (row level security: the user's own
 * rows only; another user's session reads as empty), or undefined when Supabase does not
 * answer in time. An empty history is `[]`, not undefined.
 */
export async function readHistoryFromSupabase(
  sessionId: string,
): Promise<ChatMessage[] | undefined> {
  try {
    const supabase = await createClient();
    const signal = AbortSignal.timeout(SUPABASE_READ_TIMEOUT_MS);
    const [conversation, events] = await Promise.all([
      supabase
        .from('conversations')
        .select('runs')
        .eq('session_id', sessionId)
        .abortSignal(signal)
        .maybeSingle(),
      supabase
        .from('chat_events')
        .select('run_id, data')
        .eq('session_id', sessionId)
        .order('event_id', { ascending: true })
        .abortSignal(signal),
    ]);
    if (conversation.error || events.error) return undefined;
    if (!conversation.data) return [];
    return buildChatHistory(
      conversationSchema.parse(conversation.data).runs,
      eventRowsSchema.parse(events.data).map((row) => ({ runId: row.run_id, event: row.data })),
    );
  } catch {
    return undefined;
  }
}

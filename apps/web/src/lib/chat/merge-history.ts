import type { ChatMessage } from '@grove/contract';

export type HistorySource = 'supabase' | 'worker' | 'supabase+worker';

/**
 * Supabase's copy overlaid with the worker's answer, run by run: the worker is the source of
 * truth and always has what the user just sent (Supabase lags by the sync delay), so its
 * messages win; a run only Supabase knows (a worker that lost its data) is kept. Supabase
 * alone when the worker cannot answer.
 */
export function mergeHistory(
  fromSupabase: ChatMessage[] | undefined,
  fromWorker: ChatMessage[] | undefined,
): { messages: ChatMessage[]; source: HistorySource } | undefined {
  if (fromWorker === undefined) {
    return fromSupabase === undefined ? undefined : { messages: fromSupabase, source: 'supabase' };
  }
  if (fromSupabase === undefined) return { messages: fromWorker, source: 'worker' };
  const workerRuns = new Set(fromWorker.map((message) => message.runId));
  const onlySynced = fromSupabase.filter((message) => !workerRuns.has(message.runId));
  const messages = [...onlySynced, ...fromWorker].sort(
    (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || rank(a) - rank(b),
  );
  return { messages, source: 'supabase+worker' };
}

/** Within one instant the user's message comes before the answer. */
function rank(message: ChatMessage): number {
  return message.role === 'user' ? 0 : 1;
}

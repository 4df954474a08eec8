/** First retry after a failure waits about this long. */
export const BACKOFF_BASE_MS = 250;
/** No retry waits longer than this, however long Supabase stays down. */
export const BACKOFF_MAX_MS = 30_000;

/**
 * Exponential backoff with "equal jitter": half the capped exponential delay is fixed, the other
 * half random, so retries from many workers spread out yet still grow after each failure.
 */
export function backoffDelay(
  failures: number,
  random: () => number = Math.random,
  baseMs = BACKOFF_BASE_MS,
  maxMs = BACKOFF_MAX_MS,
): number {
  if (failures <= 0) return 0;
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(capped / 2 + random() * (capped / 2));
}

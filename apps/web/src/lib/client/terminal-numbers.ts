import { z } from 'zod';

/**
 * The numbers in terminal tab names ("Terminal 3"): given when a terminal is made and kept for
 * it, so a name stays with its shell when other tabs close, and across reloads (kept in this
 * browser's localStorage, per session). Numbers are not reused while the session has
 * terminals. A browser without them (another one, storage refused) numbers the session's
 * terminals afresh, in the order they were made.
 */
const PREFIX = 'grove:terminals:';

const terminalNumbersSchema = z.object({
  /** The number the next new terminal gets. */
  next: z.number().int().positive(),
  /** Terminal id → its number. */
  byId: z.record(z.string(), z.number().int().positive()),
});
export type TerminalNumbers = z.infer<typeof terminalNumbersSchema>;

/** The subset of the Web Storage API used here (tests pass their own). */
export type NumberStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** localStorage, or undefined where the browser refuses it (storage disabled, some private modes). */
export function browserNumberStorage(): NumberStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * Numbers for `ids`, the session's terminals in the order they were made: each keeps the number
 * it has in `known`, the others get new ones in order. Numbers of terminals no longer listed
 * are forgotten; with none of the known ones listed, numbering starts again at 1.
 */
export function numberTerminals(
  known: TerminalNumbers | undefined,
  ids: readonly string[],
): TerminalNumbers {
  const byId: Record<string, number> = {};
  for (const id of ids) {
    const number = known?.byId[id];
    if (number !== undefined) byId[id] = number;
  }
  const kept = Object.values(byId);
  // None of the kept ones is left: what was kept is stale, and no name can be mistaken.
  let next = kept.length === 0 ? 1 : Math.max(known?.next ?? 1, ...kept.map((n) => n + 1));
  for (const id of ids) if (byId[id] === undefined) byId[id] = next++;
  return { next, byId };
}

/** `numbers` with a number for the new terminal `id`. */
export function addTerminal(numbers: TerminalNumbers, id: string): TerminalNumbers {
  if (numbers.byId[id] !== undefined) return numbers;
  return { next: numbers.next + 1, byId: { ...numbers.byId, [id]: numbers.next } };
}

/** `numbers` without `id` (closed for good). The last one gone, numbering starts again at 1. */
export function removeTerminal(numbers: TerminalNumbers, id: string): TerminalNumbers {
  const byId = Object.fromEntries(Object.entries(numbers.byId).filter(([key]) => key !== id));
  return Object.keys(byId).length === 0 ? { next: 1, byId } : { next: numbers.next, byId };
}

/** What this browser kept for the session (an unreadable entry counts as nothing kept). */
export function readTerminalNumbers(
  storage: NumberStorage | undefined,
  sessionId: string,
): TerminalNumbers | undefined {
  const raw = storage?.getItem(PREFIX + sessionId);
  if (raw === null || raw === undefined) return undefined;
  try {
    return terminalNumbersSchema.parse(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

/** Keeps `numbers` for the session; nothing to keep removes the entry. Best effort. */
export function writeTerminalNumbers(
  storage: NumberStorage | undefined,
  sessionId: string,
  numbers: TerminalNumbers,
): void {
  if (!storage) return;
  try {
    if (Object.keys(numbers.byId).length === 0) storage.removeItem(PREFIX + sessionId);
    else storage.setItem(PREFIX + sessionId, JSON.stringify(numbers));
  } catch {
    // Over the quota or refused: the names hold until the next reload, which is all we lose.
  }
}

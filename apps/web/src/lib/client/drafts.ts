import { z } from 'zod';

/**
 * Unsaved editor edits, kept in the browser (localStorage) while they are unsaved: Back, a
 * reload, a closed tab or a crashed browser loses nothing, and opening the file again brings
 * them back. One draft per session and file; a save or a discard removes it.
 */
const PREFIX = 'grove:draft:';

const draftSchema = z.object({
  content: z.string(),
  /** The file's version (SHA-256) the edits were made on: a different one on disk is a conflict. */
  baseVersion: z.string(),
  /** When it was written (ms since the epoch). */
  savedAt: z.number(),
});
export type Draft = z.infer<typeof draftSchema>;

/** The subset of the Web Storage API used here (tests pass their own). */
export type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** localStorage, or undefined where the browser refuses it (storage disabled, some private modes). */
export function browserDraftStorage(): DraftStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function keyOf(sessionId: string, path: string): string {
  return `${PREFIX}${sessionId}:${path}`;
}

/** The draft of `path`, if there is a readable one (an unreadable entry is removed). */
export function readDraft(
  storage: DraftStorage | undefined,
  sessionId: string,
  path: string,
): Draft | undefined {
  if (!storage) return undefined;
  const key = keyOf(sessionId, path);
  const raw = storage.getItem(key);
  if (raw === null) return undefined;
  try {
    return draftSchema.parse(JSON.parse(raw));
  } catch {
    storage.removeItem(key);
    return undefined;
  }
}

/** Keeps `draft`; false when the browser refused it (over its storage quota, say). */
export function writeDraft(
  storage: DraftStorage | undefined,
  sessionId: string,
  path: string,
  draft: Draft,
): boolean {
  if (!storage) return false;
  try {
    storage.setItem(keyOf(sessionId, path), JSON.stringify(draft));
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(storage: DraftStorage | undefined, sessionId: string, path: string) {
  storage?.removeItem(keyOf(sessionId, path));
}

/** Removes every draft of a session (it was deleted). */
export function clearSessionDrafts(storage: DraftStorage | undefined, sessionId: string) {
  if (!storage) return;
  const prefix = `${PREFIX}${sessionId}:`;
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}

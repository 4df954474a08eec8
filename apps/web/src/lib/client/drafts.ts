import { z } from 'zod';

/**
 * Unsaved editor edits, kept in the browser (localStorage) while they are unsaved: Back, a
 * reload, a closed tab or a crashed browser loses nothing, and opening the file again brings
 * them back. One draft per session and file; a save or a discard removes it.
 */
const PREFIX = 'grove:draft:';

/** Dispatched on `window` when this tab keeps or drops a draft (other tabs get `storage`). */
export const DRAFTS_CHANGED_EVENT = 'grove:drafts';

function changed(): void {
  if (typeof window !== 'undefined') window.dispatchEvent(new Event(DRAFTS_CHANGED_EVENT));
}

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
    const key = keyOf(sessionId, path);
    const isNew = storage.getItem(key) === null;
    storage.setItem(key, JSON.stringify(draft));
    if (isNew) changed();
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(storage: DraftStorage | undefined, sessionId: string, path: string) {
  const key = keyOf(sessionId, path);
  if (!storage || storage.getItem(key) === null) return;
  storage.removeItem(key);
  changed();
}

/** The paths of a session that have a draft. */
export function draftedPaths(storage: DraftStorage | undefined, sessionId: string): Set<string> {
  const paths = new Set<string>();
  if (!storage) return paths;
  const prefix = `${PREFIX}${sessionId}:`;
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(prefix)) paths.add(key.slice(prefix.length));
  }
  return paths;
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

/**
 * The drafts of `from` and of everything under it now belong to where it was moved (a rename
 * in the file tree): the edits follow the file. A draft already at the new place is replaced.
 */
export function moveDrafts(
  storage: DraftStorage | undefined,
  sessionId: string,
  from: string,
  to: string,
): void {
  if (!storage) return;
  const moved = [...draftedPaths(storage, sessionId)].filter(
    (path) => path === from || path.startsWith(`${from}/`),
  );
  for (const path of moved) {
    const raw = storage.getItem(keyOf(sessionId, path));
    if (raw === null) continue;
    try {
      storage.setItem(keyOf(sessionId, `${to}${path.slice(from.length)}`), raw);
    } catch {
      continue; // over quota: the draft stays where it was rather than being lost
    }
    storage.removeItem(keyOf(sessionId, path));
  }
  if (moved.length > 0) changed();
}

import { apiFetch } from '@/lib/api/browser';

/** A worktree file as the files API gives it. */
export interface WorktreeFile {
  content: string;
  /** Names the content read: a save based on it is refused once the file changed. */
  version: string;
}

/** The file as it is on disk now (never a cached answer). */
export function readWorktreeFile(sessionId: string, path: string): Promise<WorktreeFile> {
  return apiFetch<WorktreeFile>(
    `/api/workspace/session/${sessionId}/file?path=${encodeURIComponent(path)}`,
    { cache: 'no-store' },
  );
}

/**
 * Writes the file. With `baseVersion`, only if that is still its version on disk: the worker
 * refuses it otherwise (409 `conflict`); without, whatever is on disk is overwritten.
 */
export function writeWorktreeFile(
  sessionId: string,
  {
    path,
    content,
    baseVersion,
  }: { path: string; content: string; baseVersion?: string | undefined },
): Promise<{ path: string; size: number; version: string }> {
  return apiFetch<{ path: string; size: number; version: string }>(
    `/api/workspace/session/${sessionId}/file`,
    {
      method: 'PUT',
      json: { path, content, ...(baseVersion && { baseVersion }) },
    },
  );
}

'use client';

import { useEffect, useRef, useState, type RefObject } from 'react';

import { ApiError } from '@/lib/api/browser';
import { diskNotice, diskReaction } from '@/lib/client/disk-check';
import { detectTextFormat, editorText, type TextFormat } from '@/lib/client/line-endings';

import type { OpenFile } from './use-open-file';
import { readWorktreeFile, type WorktreeFile } from './worktree-file-api';

/** How often the open file is read again while the page is in view. */
const DISK_CHECK_MS = 5_000;

export interface DiskCheckOptions {
  sessionId: string;
  /** The open file once it is loaded: nothing is read before. */
  readyPath: string | undefined;
  /** Bumped when the worktree may have changed (a command, the agent). */
  worktreeVersion: number;
  /** The last read found the open file deleted. */
  missing: boolean;
  open: OpenFile;
  /** A read answered 404. */
  notFound: RefObject<(() => void) | undefined>;
  setMissing: (missing: boolean) => void;
  setConflict: (conflict: boolean) => void;
  setNotice: (notice: string | undefined) => void;
  /** The file shown again has this convention (it may have been converted on disk). */
  setFormat: (format: TextFormat) => void;
}

/**
 * The terminal or the agent may have changed the open file: read it again. Without edits
 * here the editor shows the new version; with edits, it says so now rather than at Save.
 */
export function useDiskCheck({
  sessionId,
  readyPath,
  worktreeVersion,
  missing,
  open,
  notFound,
  setMissing,
  setConflict,
  setNotice,
  setFormat,
}: DiskCheckOptions) {
  // Also every few seconds while the page is in view: a long command, or anything outside
  // Grove, may change the file without the IDE hearing of it.
  const [diskTick, setDiskTick] = useState(0);
  // A deleted file is not asked for every few seconds (each a 404): a change of the worktree
  // still reads it, so a command or the agent bringing it back is seen.
  useEffect(() => {
    if (!readyPath || missing) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setDiskTick((n) => n + 1);
    }, DISK_CHECK_MS);
    return () => clearInterval(timer);
  }, [readyPath, missing]);
  const checked = useRef(`${worktreeVersion}:${diskTick}`);
  // One read at a time: a worker that stops answering must not collect a request every tick
  // (the browser opens six connections per host, and the whole page shares them).
  const diskReading = useRef(false);
  useEffect(() => {
    // Only on a change of the worktree or a tick (opening a file reads it anyway).
    const key = `${worktreeVersion}:${diskTick}`;
    if (!readyPath || key === checked.current || diskReading.current) return;
    checked.current = key;
    diskReading.current = true;
    let cancelled = false;
    const versionAtRead = open.version.current;
    const react = (read: WorktreeFile | 'missing') => {
      const editor = open.view.current;
      const file = open.loaded.current;
      if (cancelled || !editor || file?.path !== readyPath) return;
      const reaction = diskReaction(
        { dirty: file.dirty, version: open.version.current, missing, versionAtRead },
        read,
      );
      if (reaction === 'unchanged') return;
      setMissing(read === 'missing');
      if (reaction === 'reload') {
        if (read === 'missing') return;
        const head = editor.state.selection.main.head;
        // Shown as the editor holds text (`\n`, no BOM); a save writes its convention back.
        const text = editorText(read.content);
        open.applyingDisk.current = true;
        try {
          editor.dispatch({
            changes: { from: 0, to: editor.state.doc.length, insert: text },
            selection: { anchor: Math.min(head, text.length) },
          });
        } finally {
          open.applyingDisk.current = false;
        }
        open.savedDoc.current = editor.state.doc;
        open.version.current = read.version;
        open.format.current = detectTextFormat(read.content);
        setFormat(open.format.current);
      }
      const { conflict, notice } = diskNotice(reaction, readyPath);
      setConflict(conflict);
      setNotice(notice);
    };
    readWorktreeFile(sessionId, readyPath)
      .then(react, (e: unknown) => {
        // Unreadable for another reason (the worker down, say): the next check or save says so.
        if (cancelled || !(e instanceof ApiError && e.status === 404)) return;
        // The session itself may be what is gone: the shell finds out, and takes over if so.
        notFound.current?.();
        react('missing');
      })
      .finally(() => {
        diskReading.current = false;
      });
    return () => {
      cancelled = true;
    };
    // `missing` changes only with a read (or a save): no reason to read again, the key above
    // stays the same.
  }, [
    sessionId,
    readyPath,
    worktreeVersion,
    diskTick,
    missing,
    open,
    notFound,
    setMissing,
    setConflict,
    setNotice,
    setFormat,
  ]);
}

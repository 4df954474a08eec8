'use client';

import type { Text } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { useRef, type RefObject } from 'react';

import { PLAIN_TEXT_FORMAT, type TextFormat } from '@/lib/client/line-endings';

/**
 * What the editor and its hooks share about the open file: read and written as things happen,
 * never rendered. The object and its refs keep their identity for the editor's lifetime.
 */
export interface OpenFile {
  view: RefObject<EditorView | undefined>;
  /** The version the editor's content is based on: a save names it. */
  version: RefObject<string | undefined>;
  /** The loaded file, and whether it has unsaved edits (kept in step with the `dirty` state). */
  loaded: RefObject<{ path: string; dirty: boolean } | undefined>;
  /** The file as last read from or saved to disk: edits undone back to it are no edits. */
  savedDoc: RefObject<Text | undefined>;
  /** Set while the editor itself replaces the document with the file on disk (not an edit). */
  applyingDisk: RefObject<boolean>;
  /**
   * The open file's line endings and BOM, as read: the editor holds its text with `\n` and no
   * BOM, and a save or a draft writes it back in this convention.
   */
  format: RefObject<TextFormat>;
}

export function useOpenFile(): OpenFile {
  const view = useRef<EditorView | undefined>(undefined);
  const version = useRef<string | undefined>(undefined);
  const loaded = useRef<{ path: string; dirty: boolean } | undefined>(undefined);
  const savedDoc = useRef<Text | undefined>(undefined);
  const applyingDisk = useRef(false);
  const format = useRef<TextFormat>(PLAIN_TEXT_FORMAT);
  const open = useRef<OpenFile>({ view, version, loaded, savedDoc, applyingDisk, format });
  return open.current;
}

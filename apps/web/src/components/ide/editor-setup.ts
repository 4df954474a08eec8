import type { Extension, Text } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';

/** Loaded on demand: CodeMirror needs the DOM and is not needed before a file is opened. */
export function loadEditorModules() {
  return Promise.all([
    import('codemirror'),
    import('@codemirror/theme-one-dark'),
    import('@codemirror/view'),
    import('@codemirror/commands'),
  ]);
}

export type EditorModules = Awaited<ReturnType<typeof loadEditorModules>>;

/** A CodeMirror view of one file: the basic setup, the dark theme, its language, Mod-S. */
export function createEditorView(
  [cm, { oneDark }, { keymap }, { indentWithTab }]: EditorModules,
  options: {
    parent: HTMLElement;
    doc: string;
    path: string;
    language: Extension | undefined;
    onSave: () => void;
    /** Any change of the document, an edit or not. */
    onDocChange: (doc: Text) => void;
  },
): EditorView {
  return new cm.EditorView({
    parent: options.parent,
    doc: options.doc,
    extensions: [
      keymap.of([
        { key: 'Mod-s', preventDefault: true, run: () => (options.onSave(), true) },
        // Tab indents; Escape then Tab leaves the editor (CodeMirror's way out).
        indentWithTab,
      ]),
      cm.basicSetup,
      oneDark,
      ...(options.language ? [options.language] : []),
      cm.EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onDocChange(update.state.doc);
      }),
      cm.EditorView.contentAttributes.of({
        'aria-label': `Editing ${options.path} (Escape then Tab leaves the editor)`,
      }),
    ],
  });
}

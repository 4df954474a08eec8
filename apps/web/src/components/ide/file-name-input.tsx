'use client';

import { useEffect, useRef, useState } from 'react';

interface Props {
  /** What the field starts with (a rename: the current name). */
  initial: string;
  /** The field's accessible name: "New file in src", "Rename src/a.ts". */
  label: string;
  /** Resolves once done; a thrown error's message is shown and the field stays for another try. */
  onCommit: (name: string) => Promise<void>;
  onCancel: () => void;
}

/**
 * The name field the file tree shows in place of a row: Enter commits, Escape (or leaving the
 * field) cancels. A rename starts with the name selected up to its extension, as editors do.
 */
export function FileNameInput({ initial, label, onCommit, onCancel }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const errorId = `${label.replace(/\W+/g, '-')}-error`;

  useEffect(() => {
    const field = input.current;
    if (!field) return;
    field.focus();
    const dot = initial.lastIndexOf('.');
    field.setSelectionRange(0, dot > 0 ? dot : initial.length);
  }, [initial]);

  async function commit() {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await onCommit(value);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <span className="tree-name-input">
      <input
        ref={input}
        value={value}
        aria-label={label}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        spellCheck={false}
        autoComplete="off"
        // Read-only, not disabled, while it is sent: the field keeps the focus for another try.
        readOnly={busy}
        aria-busy={busy || undefined}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          // The tree's own keys (arrows, Delete, F2, letters) are not for it while typing.
          event.stopPropagation();
          if (event.key === 'Enter') {
            event.preventDefault();
            void commit();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            onCancel();
          }
        }}
        onBlur={() => {
          if (!busy) onCancel();
        }}
      />
      {error && (
        <span id={errorId} className="error small tree-name-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

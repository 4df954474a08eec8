import { describeTextFormat, type TextFormat } from '@/lib/client/line-endings';

/**
 * The editor's head: the open file (● while it has unsaved edits), its line endings (and BOM)
 * as a save keeps them, and the Save button.
 */
export function EditorToolbar({
  path,
  dirty,
  saving,
  format,
  canSave,
  onSave,
}: {
  path: string | undefined;
  dirty: boolean;
  saving: boolean;
  /** The open file's convention, once it is loaded. */
  format: TextFormat | undefined;
  canSave: boolean;
  onSave: () => void;
}) {
  const described = format && describeTextFormat(format);
  return (
    <div className="pane-head">
      <h2 className="break">
        {path ?? 'Editor'}
        {dirty && <span aria-label="unsaved changes"> ●</span>}
      </h2>
      <div className="pane-head-end">
        {described && (
          <span className="muted small" title={described.title} data-testid="line-endings">
            {described.label}
          </span>
        )}
        <button
          type="button"
          className="small-button"
          disabled={!canSave}
          onClick={onSave}
          title="Save (Ctrl/Cmd+S)"
        >
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </div>
  );
}

/** The editor's head: the open file (● while it has unsaved edits) and the Save button. */
export function EditorToolbar({
  path,
  dirty,
  saving,
  canSave,
  onSave,
}: {
  path: string | undefined;
  dirty: boolean;
  saving: boolean;
  canSave: boolean;
  onSave: () => void;
}) {
  return (
    <div className="pane-head">
      <h2 className="break">
        {path ?? 'Editor'}
        {dirty && <span aria-label="unsaved changes"> ●</span>}
      </h2>
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
  );
}

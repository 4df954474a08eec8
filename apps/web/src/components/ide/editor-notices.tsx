/**
 * What the editor says about the open file (saved, changed or deleted on disk, edits
 * restored), and the choices that come with it: write it again, reload from disk or
 * overwrite, discard restored edits.
 */
export function EditorNotices({
  notice,
  conflict,
  missing,
  ready,
  restored,
  dirty,
  onOverwrite,
  onReload,
}: {
  notice: string | undefined;
  /** The file on disk is not what the edits are based on: the user chooses. */
  conflict: boolean;
  /** The open file was deleted on disk. */
  missing: boolean;
  ready: boolean;
  /** The edits were restored from a draft, made on the version on disk. */
  restored: boolean;
  dirty: boolean;
  onOverwrite: () => void;
  onReload: () => void;
}) {
  return (
    <>
      {notice && (
        <p
          className={`small pad editor-notice ${conflict || missing ? 'error' : 'muted'}`}
          role={conflict || missing ? 'alert' : 'status'}
        >
          {notice}
        </p>
      )}
      {missing && !conflict && ready && (
        <p className="pad editor-conflict">
          <button type="button" className="small-button" onClick={onOverwrite}>
            Write it again
          </button>
        </p>
      )}
      {conflict && (
        <p className="pad editor-conflict">
          <button type="button" className="secondary small-button" onClick={onReload}>
            Reload from disk (drop my edits)
          </button>{' '}
          <button type="button" className="small-button" onClick={onOverwrite}>
            Overwrite with mine
          </button>
        </p>
      )}
      {restored && dirty && (
        <p className="pad editor-conflict">
          <button type="button" className="secondary small-button" onClick={onReload}>
            Discard my edits
          </button>
        </p>
      )}
    </>
  );
}

'use client';

import { formatBytes, type GitDiffResponse } from '@grove/contract';
import { useMemo, useState } from 'react';

import { errorMessage } from '@/lib/client/format';
import { filesToShow, type ShownDiffFile } from '@/lib/client/unified-diff';

interface Props {
  diff: GitDiffResponse;
  /** One file's whole diff (`git/diff?path=`), for a file the full answer cut or left out. */
  loadFile: (path: string) => Promise<GitDiffResponse>;
}

/**
 * A unified diff, file by file, with old/new line numbers; each file can be collapsed. Files
 * the answer cut short or left out (see DIFF_FILE_CAP_BYTES) say so and load on request.
 */
export function DiffView({ diff, loadFile }: Props) {
  // Files loaded whole belong to the answer they were loaded for; a new one starts afresh.
  const [loaded, setLoaded] = useState<{
    of: GitDiffResponse;
    files: Record<string, GitDiffResponse>;
  }>({ of: diff, files: {} });
  const whole = loaded.of === diff ? loaded.files : undefined;
  // Parsed once per answer (or file loaded), not on every render of the panel (each keystroke
  // of a commit message renders it).
  const shown = useMemo(() => filesToShow(diff, whole ?? {}), [diff, whole]);
  if (shown.length === 0) return <p className="muted pad">No changes against the base branch.</p>;
  return (
    <div className="diff" data-testid="diff">
      {shown.map((file) => (
        <DiffFileView
          key={file.path}
          file={file}
          canLoad={!whole?.[file.path]}
          load={async () => {
            const answer = await loadFile(file.path);
            setLoaded((current) => ({
              of: diff,
              files: { ...(current.of === diff ? current.files : {}), [file.path]: answer },
            }));
          }}
        />
      ))}
    </div>
  );
}

function DiffFileView({
  file,
  canLoad,
  load,
}: {
  file: ShownDiffFile;
  canLoad: boolean;
  load: () => Promise<void>;
}) {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const { parsed } = file;
  const lines = parsed?.lines.filter((line) => line.kind !== 'meta') ?? [];
  return (
    <details open className="diff-file" data-diff-path={file.path}>
      <summary>
        <code className="break">{file.path}</code>{' '}
        {parsed?.binary ? (
          <span className="muted small">binary</span>
        ) : parsed ? (
          <>
            <span className="diff-add">+{parsed.additions}</span>{' '}
            <span className="diff-del">−{parsed.deletions}</span>
            {file.cutFrom !== undefined && <span className="muted small"> so far</span>}
          </>
        ) : null}
      </summary>
      {parsed?.binary && <p className="muted small pad">Binary file: no text to compare.</p>}
      {lines.length > 0 && (
        <div className="diff-scroll">
          <table className="diff-table">
            <tbody>
              {lines.map((line, index) => (
                <tr key={index} className={`dl ${line.kind}`}>
                  <td className="ln" aria-hidden="true">
                    {line.oldLine ?? ''}
                  </td>
                  <td className="ln" aria-hidden="true">
                    {line.newLine ?? ''}
                  </td>
                  <td className="code">
                    <span className="sign" aria-hidden="true">
                      {line.kind === 'add' ? '+' : line.kind === 'del' ? '−' : ' '}
                    </span>
                    {line.text}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {file.cutFrom !== undefined && (
        <p className="muted small pad diff-cut" role="note">
          {parsed
            ? `The diff of this file is cut here: it is ${formatBytes(file.cutFrom)} in all.`
            : `This file's diff (${formatBytes(file.cutFrom)}) was left out of the whole diff.`}{' '}
          {canLoad ? (
            <button
              type="button"
              className="link-button"
              disabled={loading}
              onClick={() => {
                setLoading(true);
                setError(undefined);
                load()
                  .catch((e: unknown) => setError(errorMessage(e)))
                  .finally(() => setLoading(false));
              }}
            >
              {loading ? 'Loading…' : parsed ? 'Show all of it' : 'Show it'}
            </button>
          ) : (
            'Larger diffs are not shown here; see it in a terminal (git diff).'
          )}
          {error && <span className="error"> {error}</span>}
        </p>
      )}
    </details>
  );
}

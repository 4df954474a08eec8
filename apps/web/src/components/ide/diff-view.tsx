import { parseUnifiedDiff } from '@/lib/client/unified-diff';

/** A unified diff, file by file, with old/new line numbers; each file can be collapsed. */
export function DiffView({ diff }: { diff: string }) {
  const files = parseUnifiedDiff(diff);
  if (files.length === 0) return <p className="muted pad">No changes against the base branch.</p>;
  return (
    <div className="diff" data-testid="diff">
      {files.map((file) => (
        <details key={file.path} open className="diff-file" data-diff-path={file.path}>
          <summary>
            <code className="break">{file.path}</code>{' '}
            {file.binary ? (
              <span className="muted small">binary</span>
            ) : (
              <>
                <span className="diff-add">+{file.additions}</span>{' '}
                <span className="diff-del">−{file.deletions}</span>
              </>
            )}
          </summary>
          {file.binary && <p className="muted small pad">Binary file: no text to compare.</p>}
          <div className="diff-scroll">
            <table className="diff-table">
              <tbody>
                {file.lines
                  .filter((line) => line.kind !== 'meta')
                  .map((line, index) => (
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
        </details>
      ))}
    </div>
  );
}

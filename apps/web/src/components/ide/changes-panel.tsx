'use client';

import type {
  GitDiffResponse,
  GitStatusResponse,
  SavedWork,
  SavedWorkResponse,
  Session,
} from '@grove/contract';
import { useCallback, useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';

import { apiFetch } from '@/lib/api/browser';
import { errorMessage, formatAge } from '@/lib/client/format';

import { DiffView } from './diff-view';

interface Props {
  sessionId: string;
  session: Session | undefined;
  version: number;
  onChanged: () => void;
}

type Notice = { kind: 'ok' | 'error'; text: string; href?: string };

/** Diff against the base branch, and the git workflow: commit, push, pull request, update. */
export function ChangesPanel({ sessionId, session, version, onChanged }: Props) {
  const base = `/api/workspace/session/${sessionId}/git`;
  const [status, setStatus] = useState<GitStatusResponse | undefined>();
  const [diff, setDiff] = useState<GitDiffResponse | undefined>();
  const [saved, setSaved] = useState<SavedWork[]>([]);
  const [message, setMessage] = useState('');
  const [prTitle, setPrTitle] = useState('');
  const [prBase, setPrBase] = useState('');
  const [draft, setDraft] = useState(true);
  const [strategy, setStrategy] = useState<'merge' | 'rebase'>('merge');
  const [busy, setBusy] = useState<string | undefined>();
  const [notice, setNotice] = useState<Notice | undefined>();

  const load = useCallback(async () => {
    try {
      const [s, d, w] = await Promise.all([
        apiFetch<GitStatusResponse>(`${base}/status`, { cache: 'no-store' }),
        apiFetch<GitDiffResponse>(`${base}/diff`, { cache: 'no-store' }),
        apiFetch<SavedWorkResponse>(`${base}/saved-work`, { cache: 'no-store' }),
      ]);
      setStatus(s);
      setDiff(d);
      setSaved(w.saved.filter((entry) => entry.restoredAt === null));
    } catch (e) {
      setNotice({ kind: 'error', text: errorMessage(e) });
    }
  }, [base]);

  useEffect(() => {
    void load();
  }, [load, version]);

  async function run(label: string, action: () => Promise<Notice>) {
    setBusy(label);
    setNotice(undefined);
    try {
      setNotice(await action());
      onChanged();
    } catch (e) {
      setNotice({ kind: 'error', text: errorMessage(e) });
    } finally {
      setBusy(undefined);
      await load();
    }
  }

  const commit = (event: FormEvent) => {
    event.preventDefault();
    void run('commit', async () => {
      const { commit } = await apiFetch<{ commit: { sha: string; message: string } }>(
        `${base}/commit`,
        { method: 'POST', json: { message: withSummaryLine(message) } },
      );
      setMessage('');
      // git's summary is the first line; the body stays in the log.
      const summary = commit.message.split('\n', 1)[0];
      return { kind: 'ok', text: `Committed ${commit.sha.slice(0, 8)}: ${summary}` };
    });
  };
  const push = () =>
    void run('push', async () => {
      const { branch } = await apiFetch<{ branch: string }>(`${base}/push`, { method: 'POST' });
      return { kind: 'ok', text: `Pushed ${branch} to ${session?.repo ?? 'its repository'}` };
    });
  const openPr = (event: FormEvent) => {
    event.preventDefault();
    void run('pr', async () => {
      const { pr } = await apiFetch<{ pr: { number: number; url: string } }>(`${base}/pr`, {
        method: 'POST',
        json: { title: prTitle, draft, ...(prBase.trim() ? { base: prBase.trim() } : {}) },
      });
      return { kind: 'ok', text: `Pull request #${pr.number}`, href: pr.url };
    });
  };
  const update = () =>
    void run('update', async () => {
      const result = await apiFetch<{ head: string; behind: number }>(`${base}/update`, {
        method: 'POST',
        json: { strategy },
      });
      return {
        kind: 'ok',
        text: `Updated from base (${strategy}); now at ${result.head.slice(0, 8)}`,
      };
    });

  const restore = (from: string) =>
    void run('restore', async () => {
      const { files } = await apiFetch<{ files: string[] }>(`${base}/restore-wip`, {
        method: 'POST',
        json: { from },
      });
      return {
        kind: 'ok',
        text: `Restored ${files.length} file${files.length === 1 ? '' : 's'} from session/${from} as uncommitted changes`,
      };
    });

  const files = status?.files ?? [];
  /** Enter makes a new line (the body); Ctrl/Cmd+Enter commits, as in other git tools. */
  const commitOnModEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    // requestSubmit ignores a disabled submit button: check what the button checks.
    if (!busy && files.length > 0) event.currentTarget.form?.requestSubmit();
  };
  return (
    <div className="changes">
      <div className="pane-head">
        <h2>Changes</h2>
        <button type="button" className="secondary small-button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <div className="changes-body">
        {status && (
          <p className="muted small pad">
            <code>{status.branch}</code> · {status.ahead} ahead, {status.behind} behind{' '}
            <code>{status.baseBranch}</code>
            {(status.behindBase || session?.behindBase) && ' · the base has new commits'}
            {session?.pullRequest && (
              <>
                {' · '}
                <a href={session.pullRequest.url} target="_blank" rel="noopener noreferrer">
                  PR #{session.pullRequest.number} ({session.pullRequest.state})
                </a>
              </>
            )}
          </p>
        )}
        {notice && (
          <p
            className={`${notice.kind === 'error' ? 'error' : 'ok'} small pad`}
            role={notice.kind === 'error' ? 'alert' : 'status'}
          >
            {notice.href ? (
              <a href={notice.href} target="_blank" rel="noopener noreferrer">
                {notice.text}
              </a>
            ) : (
              notice.text
            )}
          </p>
        )}
        {files.length > 0 && (
          <ul className="status-files small pad" aria-label="Changed files">
            {files.map((f) => (
              <li key={f.path}>
                <span className={`fs ${f.status}`}>{f.status}</span>{' '}
                <code className="break">{f.path}</code>
              </li>
            ))}
          </ul>
        )}
        <form className="git-form pad" onSubmit={commit}>
          <label htmlFor="commit-message">Commit message</label>
          <div className="row">
            <textarea
              id="commit-message"
              className="grow commit-message"
              rows={3}
              value={message}
              onChange={(event) => setMessage(event.target.value)}
              onKeyDown={commitOnModEnter}
              aria-describedby="commit-message-hint"
              spellCheck
              required
            />
            <button type="submit" disabled={!!busy || files.length === 0}>
              {busy === 'commit' ? 'Committing…' : 'Commit all'}
            </button>
          </div>
          <p id="commit-message-hint" className="muted small commit-hint">
            {files.length === 0
              ? 'Nothing to commit: the worktree has no changes.'
              : 'First line: the summary. Ctrl+Enter (⌘+Enter) commits.'}
          </p>
        </form>
        <div className="row pad">
          <button type="button" className="secondary" onClick={push} disabled={!!busy}>
            {busy === 'push' ? 'Pushing…' : 'Push'}
          </button>
          <label className="inline" htmlFor="update-strategy">
            Update from base
          </label>
          <select
            id="update-strategy"
            value={strategy}
            onChange={(event) => setStrategy(event.target.value as 'merge' | 'rebase')}
          >
            <option value="merge">merge</option>
            <option value="rebase">rebase</option>
          </select>
          <button type="button" className="secondary" onClick={update} disabled={!!busy}>
            {busy === 'update' ? 'Updating…' : 'Update'}
          </button>
        </div>
        {session && isLocalRepo(session.repo) ? (
          <p className="muted small pad">
            Pull requests need a repository on GitHub; this session&apos;s repository is a folder on
            the worker, which Push updates.
          </p>
        ) : (
          <details className="pad">
            <summary>Open a pull request</summary>
            <form className="git-form" onSubmit={openPr}>
              <label htmlFor="pr-title">Title</label>
              <input
                id="pr-title"
                value={prTitle}
                onChange={(e) => setPrTitle(e.target.value)}
                required
              />
              <label htmlFor="pr-base">Base branch</label>
              <input
                id="pr-base"
                value={prBase}
                onChange={(e) => setPrBase(e.target.value)}
                placeholder={session?.baseBranch ?? 'default'}
              />
              <label className="check">
                <input
                  type="checkbox"
                  checked={draft}
                  onChange={(e) => setDraft(e.target.checked)}
                />{' '}
                Draft
              </label>
              <button type="submit" disabled={!!busy}>
                {busy === 'pr' ? 'Opening…' : 'Open pull request'}
              </button>
            </form>
          </details>
        )}
        {saved.length > 0 && (
          <details className="pad" data-testid="saved-work">
            <summary>Saved work from deleted sessions ({saved.length})</summary>
            <ul className="saved-work small">
              {saved.map((entry) => (
                <li key={entry.from} data-saved-from={entry.from}>
                  <code>session/{entry.from}</code> · {entry.files.length} file
                  {entry.files.length === 1 ? '' : 's'} · deleted {formatAge(entry.createdAt)} ago{' '}
                  <button
                    type="button"
                    className="secondary small-button"
                    onClick={() => restore(entry.from)}
                    disabled={!!busy}
                    title={entry.files.join('\n')}
                  >
                    {busy === 'restore' ? 'Restoring…' : 'Restore here'}
                  </button>
                </li>
              ))}
            </ul>
          </details>
        )}
        {diff ? (
          <>
            {diff.truncated && (
              <p className="muted small pad">
                Some files&apos; diffs are too large to show at once; they are marked below and load
                one at a time.
              </p>
            )}
            <DiffView
              diff={diff}
              loadFile={(path) =>
                apiFetch<GitDiffResponse>(`${base}/diff?${new URLSearchParams({ path })}`, {
                  cache: 'no-store',
                })
              }
            />
          </>
        ) : (
          <p className="muted pad">Loading diff…</p>
        )}
      </div>
    </div>
  );
}

/** git's summary is the first paragraph: a blank line after the first keeps it to that line. */
function withSummaryLine(message: string): string {
  const [summary = '', ...body] = message.trim().split('\n');
  if (body.length === 0 || body[0]!.trim() === '') return message.trim();
  return `${summary}\n\n${body.join('\n')}`;
}

/** A session started from a path or file:// URL on the worker (no GitHub behind it). */
function isLocalRepo(repo: string): boolean {
  return repo.startsWith('/') || repo.startsWith('file:');
}

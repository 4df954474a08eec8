'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { Session } from '@grove/contract';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';
import { signInPath } from '@/lib/auth/next-path';
import { backoffDelay } from '@/lib/client/backoff';
import { browserDraftStorage, clearSessionDrafts } from '@/lib/client/drafts';
import { errorMessage, formatAge } from '@/lib/client/format';

import { RepoPicker } from './repo-picker';

/** While a session is being created or changes state, the list is polled this often. */
const BUSY_POLL_MS = 1_000;
const IDLE_POLL_MS = 15_000;
const SETTLING = new Set(['creating', 'updating', 'deleting']);
const STATUS_HINTS: Record<Session['status'], string> = {
  creating: 'The worktree is being made',
  active: 'Ready; no terminal is open',
  connected: 'Ready; a terminal is open',
  updating: 'Bringing in the base branch',
  deleting: 'Being deleted (unpushed work is kept)',
  failed: 'Could not be set up; delete it and try again',
};

export function SessionsPanel({
  localMode,
  defaultBaseBranch,
  githubConnected,
}: {
  localMode: boolean;
  /** The user's preference (/settings): pre-fills the base branch field. */
  defaultBaseBranch?: string | null | undefined;
  /** Whether a GitHub token is there to list repositories with (undefined: not known). */
  githubConnected?: boolean | undefined;
}) {
  const [sessions, setSessions] = useState<Session[] | undefined>();
  const [repo, setRepo] = useState('');
  const [baseBranch, setBaseBranch] = useState(defaultBaseBranch ?? '');
  const [pending, setPending] = useState<{ repo: string; since: number }[]>([]);
  const [error, setError] = useState<string | undefined>();
  // The list could not be read (the worker down, say): said until it can, and read again
  // with backoff meanwhile; the sessions last read stay shown.
  const [listError, setListError] = useState<string | undefined>();
  const [failures, setFailures] = useState(0);
  const [, setTick] = useState(0);
  const repoInput = useRef<HTMLInputElement>(null);
  const router = useRouter();

  const refresh = useCallback(async () => {
    try {
      const data = await apiFetch<{ sessions: Session[] }>('/api/workspace/sessions', {
        cache: 'no-store',
      });
      setSessions(data.sessions);
      setListError(undefined);
      setFailures(0);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        window.location.href = signInPath(window.location.pathname + window.location.search);
        return;
      }
      setListError(errorMessage(e));
      setFailures((n) => n + 1);
    }
  }, []);

  const busy = pending.length > 0 || (sessions ?? []).some((s) => SETTLING.has(s.status));
  useEffect(() => {
    void refresh();
  }, [refresh, busy]);
  useEffect(() => {
    const timer = setInterval(
      () => {
        void refresh();
        setTick((t) => t + 1);
      },
      failures > 0 ? backoffDelay(failures - 1) : busy ? BUSY_POLL_MS : IDLE_POLL_MS,
    );
    // Back online: no need to wait for the next turn.
    const online = () => void refresh();
    window.addEventListener('online', online);
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', online);
    };
  }, [refresh, busy, failures]);

  async function create(event: FormEvent) {
    event.preventDefault();
    const chosen = repo.trim();
    const branch = baseBranch.trim();
    const entry = { repo: chosen, since: Date.now() };
    setPending((list) => [...list, entry]);
    setError(undefined);
    setRepo('');
    setBaseBranch(defaultBaseBranch ?? '');
    try {
      // Create answers once the worktree exists; meanwhile the poll shows the `creating` row.
      const { session } = await apiFetch<{ session: Session }>('/api/workspace/session/create', {
        method: 'POST',
        headers: { 'Idempotency-Key': crypto.randomUUID() },
        json: { repo: chosen, ...(branch ? { baseBranch: branch } : {}) },
      });
      setSessions((list) => [session, ...(list ?? []).filter((s) => s.id !== session.id)]);
      // The worktree exists once create answers: the user came to work in it, so open the IDE.
      router.push(`/sessions/${session.id}`);
    } catch (e) {
      setError(errorMessage(e));
      // Both fields as they were, to correct what the error names.
      setRepo(chosen);
      setBaseBranch(branch);
    } finally {
      setPending((list) => list.filter((p) => p !== entry));
      await refresh();
    }
  }

  async function remove(session: Session) {
    const question =
      `Delete ${session.name ? `the session “${session.name}”` : 'the session'} on ` +
      `${session.repo} (branch ${session.branchName})? Uncommitted changes and unpushed commits are ` +
      'kept: restore them into another session from its Changes panel. Unsaved editor edits ' +
      'kept in this browser go with the session.';
    if (!window.confirm(question)) return;
    setError(undefined);
    try {
      await apiFetch(`/api/workspace/session/${session.id}`, { method: 'DELETE' });
      // Unsaved editor edits kept in this browser belong to the session: they go with it.
      clearSessionDrafts(browserDraftStorage(), session.id);
    } catch (e) {
      setError(errorMessage(e));
    }
    await refresh();
  }

  const creatingShown = new Set(
    (sessions ?? []).filter((s) => s.status === 'creating').map((s) => s.repo),
  );
  return (
    <>
      <section className="panel" aria-labelledby="new-session">
        <h2 id="new-session">New session</h2>
        <RepoPicker
          connected={githubConnected}
          onPick={(picked) => {
            setRepo(picked.fullName);
            setBaseBranch(defaultBaseBranch ?? picked.defaultBranch);
            repoInput.current?.focus();
          }}
        />
        <form onSubmit={(event) => void create(event)}>
          <div className="row">
            <div className="grow">
              <label htmlFor="repo">{localMode ? 'Repository, path or URL' : 'Repository'}</label>
              <input
                id="repo"
                ref={repoInput}
                value={repo}
                onChange={(event) => setRepo(event.target.value)}
                placeholder={
                  localMode
                    ? 'owner/name, https:// URL, /absolute/path or file:// URL'
                    : 'owner/name or https:// URL'
                }
                autoComplete="off"
                spellCheck={false}
                required
              />
            </div>
            <div>
              <label htmlFor="base">Base branch</label>
              <input
                id="base"
                value={baseBranch}
                onChange={(event) => setBaseBranch(event.target.value)}
                placeholder="default"
                spellCheck={false}
              />
            </div>
            <button type="submit">Create session</button>
          </div>
        </form>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
      <section className="panel" aria-labelledby="sessions">
        <h2 id="sessions">Sessions</h2>
        {listError && (
          <p className="error" role="status" data-testid="sessions-reconnecting">
            Cannot read the sessions: {listError}. Trying again…
          </p>
        )}
        {sessions === undefined ? (
          !listError && <p className="muted">Loading…</p>
        ) : sessions.length === 0 && pending.length === 0 ? (
          <p className="muted">No sessions yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Repository</th>
                <th className="hide-narrow">Branch</th>
                <th>Status</th>
                <th className="hide-narrow">Age</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pending
                .filter((p) => !creatingShown.has(p.repo))
                .map((p) => (
                  <tr key={`pending-${p.since}`} aria-busy="true">
                    <td>
                      <code className="break">{p.repo}</code>
                    </td>
                    <td className="hide-narrow muted">—</td>
                    <td>
                      <span className="status creating">
                        <span className="spinner" aria-hidden="true" /> starting
                      </span>
                    </td>
                    <td className="hide-narrow">{formatAge(new Date(p.since).toISOString())}</td>
                    <td />
                  </tr>
                ))}
              {sessions.map((session) => (
                <tr key={session.id} data-session-id={session.id}>
                  <td>
                    {session.status === 'failed' || session.status === 'creating' ? (
                      <span>{session.name ?? session.repo}</span>
                    ) : (
                      <Link href={`/sessions/${session.id}`}>{session.name ?? session.repo}</Link>
                    )}
                    <div className="muted small break">
                      {session.name && (
                        <>
                          <code>{session.repo}</code>{' '}
                        </>
                      )}
                      from <code>{session.baseBranch || '…'}</code>
                      {/* The Age column is hidden on a phone: two sessions of one repo differ here. */}
                      <span className="show-narrow"> · {formatAge(session.createdAt)}</span>
                    </div>
                    {session.progress && (
                      <div className="muted small" data-testid="create-progress">
                        {session.progress.stage} {session.progress.percent}%
                      </div>
                    )}
                    {session.error && <div className="error small">{session.error}</div>}
                  </td>
                  <td className="hide-narrow">
                    <code>{session.branchName}</code>
                  </td>
                  <td>
                    <span
                      className={`status ${session.status}`}
                      title={STATUS_HINTS[session.status]}
                    >
                      {SETTLING.has(session.status) && (
                        <span className="spinner" aria-hidden="true" />
                      )}{' '}
                      {session.status}
                    </span>
                  </td>
                  <td className="hide-narrow">{formatAge(session.createdAt)}</td>
                  <td>
                    {session.status !== 'creating' && session.status !== 'deleting' && (
                      <button
                        type="button"
                        className="danger small-button"
                        onClick={() => void remove(session)}
                        aria-label={`Delete session ${session.id}`}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

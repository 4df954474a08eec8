'use client';

import type { Session } from '@grove/contract';
import { useCallback, useEffect, useState, type FormEvent } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';

function age(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

export function SessionsPanel({ localMode }: { localMode: boolean }) {
  const [sessions, setSessions] = useState<Session[] | undefined>();
  const [repo, setRepo] = useState('');
  const [baseBranch, setBaseBranch] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const refresh = useCallback(async () => {
    try {
      const data = await apiFetch<{ sessions: Session[] }>('/api/workspace/sessions');
      setSessions(data.sessions);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) window.location.href = '/sign-in';
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await apiFetch('/api/workspace/session/create', {
        method: 'POST',
        headers: { 'Idempotency-Key': crypto.randomUUID() },
        json: {
          repo: repo.trim(),
          ...(baseBranch.trim() ? { baseBranch: baseBranch.trim() } : {}),
        },
      });
      setRepo('');
      setBaseBranch('');
      await refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  async function remove(id: string) {
    setError(undefined);
    try {
      await apiFetch(`/api/workspace/session/${id}`, { method: 'DELETE' });
      await refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <>
      <section className="panel" aria-labelledby="new-session">
        <h2 id="new-session">New session</h2>
        <form onSubmit={(event) => void create(event)}>
          <div className="row">
            <div className="grow">
              <label htmlFor="repo">Repository</label>
              <input
                id="repo"
                value={repo}
                onChange={(event) => setRepo(event.target.value)}
                placeholder={
                  localMode
                    ? 'owner/name, https:// URL or /absolute/path'
                    : 'owner/name or https:// URL'
                }
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
              />
            </div>
            <button type="submit" disabled={busy}>
              {busy ? 'Creating…' : 'Create session'}
            </button>
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
        {sessions === undefined ? (
          <p className="muted">Loading…</p>
        ) : sessions.length === 0 ? (
          <p className="muted">No sessions yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Repository</th>
                <th className="hide-narrow">Branch</th>
                <th>Status</th>
                <th className="hide-narrow">Age</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => (
                <tr key={session.id} data-session-id={session.id}>
                  <td>
                    <a href={`/sessions/${session.id}`}>{session.name ?? session.repo}</a>
                    <div className="muted">
                      <code>{session.repo}</code> from <code>{session.baseBranch}</code>
                    </div>
                  </td>
                  <td className="hide-narrow">
                    <code>{session.branchName}</code>
                  </td>
                  <td>
                    <span className={`status ${session.status}`} title={session.error ?? undefined}>
                      {session.status}
                    </span>
                  </td>
                  <td className="hide-narrow">{age(session.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => void remove(session.id)}
                      aria-label={`Delete session ${session.id}`}
                    >
                      Delete
                    </button>
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

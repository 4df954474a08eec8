'use client';

import type { SyncStatus, WorkerStatus } from '@grove/contract';
import { useCallback, useEffect, useState } from 'react';

import { apiFetch } from '@/lib/api/browser';
import { errorMessage, formatDuration } from '@/lib/client/format';

/** How often the table refreshes itself while the page is open. */
const AUTO_REFRESH_MS = 10_000;

/** The worker's outbox sync to Supabase, when it reports one (docs/api.md). */
function SyncCell({ sync }: { sync: SyncStatus | null | undefined }) {
  if (!sync) return <>—</>;
  if (!sync.enabled) return <span className="muted">off (local)</span>;
  const failing = sync.consecutiveFailures > 0;
  return (
    <div className="sync">
      <span className={`status ${failing ? 'offline' : 'online'}`}>
        {failing ? `failing ×${sync.consecutiveFailures}` : 'ok'}
      </span>
      <div className="muted small">
        outbox {sync.outboxDepth} · lag {formatDuration(Math.round(sync.lagMs / 1000))}
      </div>
      {sync.deadLetters > 0 ? (
        <div className="muted small">{sync.deadLetters} dead letters</div>
      ) : null}
      <div className="muted small">
        last success{' '}
        {sync.lastSuccessAt ? new Date(sync.lastSuccessAt).toLocaleTimeString() : 'never'}
      </div>
    </div>
  );
}

export function WorkersTable() {
  const [workers, setWorkers] = useState<WorkerStatus[] | undefined>();
  const [checkedAt, setCheckedAt] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const refresh = useCallback(async () => {
    setBusy(true);
    try {
      const data = await apiFetch<{ workers: WorkerStatus[]; timestamp: string }>(
        '/api/workers/status',
        { cache: 'no-store' },
      );
      setWorkers(data.workers);
      setCheckedAt(data.timestamp);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), AUTO_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <section className="panel" aria-labelledby="workers-title">
      <div className="panel-head">
        <h2 id="workers-title">Workers</h2>
        <button type="button" className="secondary" onClick={() => void refresh()} disabled={busy}>
          {busy ? 'Checking…' : 'Refresh'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {workers === undefined ? (
        <p className="muted">Checking workers…</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Worker</th>
                <th>Status</th>
                <th>Version</th>
                <th>Uptime</th>
                <th>Latency</th>
                <th>Sync</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((worker) => (
                <tr key={worker.id} data-worker-id={worker.id}>
                  <td>
                    {worker.name}
                    <div className="muted">
                      <code>{worker.id}</code>
                    </div>
                  </td>
                  <td>
                    <span className={`status ${worker.status}`}>{worker.status}</span>
                  </td>
                  <td>{worker.version ?? '—'}</td>
                  <td>{worker.uptime === null ? '—' : formatDuration(worker.uptime)}</td>
                  <td>{worker.latencyMs === null ? '—' : `${worker.latencyMs} ms`}</td>
                  <td
                    data-testid="worker-sync"
                    data-sync={worker.sync ? (worker.sync.enabled ? 'on' : 'off') : 'none'}
                  >
                    <SyncCell sync={worker.sync} />
                    {worker.lastSeenAt ? (
                      <div className="muted small">
                        last seen {new Date(worker.lastSeenAt).toLocaleTimeString()}
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {checkedAt && (
        <p className="muted small">
          Checked at {new Date(checkedAt).toLocaleTimeString()} · refreshes every{' '}
          {AUTO_REFRESH_MS / 1000}s
        </p>
      )}
    </section>
  );
}

'use client';

import type { TerminalSummary } from '@grove/contract';
import { useEffect, useState } from 'react';

import { apiFetch } from '@/lib/api/browser';
import { errorMessage } from '@/lib/client/format';

import { TerminalView } from './terminal-view';

interface Tab {
  /** Stable React key: a new tab has no terminal id until its first ticket arrives. */
  key: string;
  terminalId: string | undefined;
}

/** Terminal tabs: the session's terminals from the worker, plus new ones opened here. */
export function TerminalPanel({
  sessionId,
  fontSize,
}: {
  sessionId: string;
  /** The user's preference (/settings); xterm's default size otherwise. */
  fontSize?: number | undefined;
}) {
  const [tabs, setTabs] = useState<Tab[] | undefined>();
  const [current, setCurrent] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    apiFetch<{ terminals: TerminalSummary[] }>(`/api/workspace/session/${sessionId}/terminals`, {
      cache: 'no-store',
    })
      .then(({ terminals }) => {
        const kept = terminals
          .filter((t) => t.status !== 'previous' || t.seq > 0)
          .map((t) => ({ key: t.id, terminalId: t.id }));
        const list = kept.length > 0 ? kept : [{ key: 'new-0', terminalId: undefined }];
        setTabs(list);
        setCurrent(list[0]!.key);
      })
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [sessionId]);

  function addTab() {
    const key = `new-${Date.now()}`;
    setTabs((list) => [...(list ?? []), { key, terminalId: undefined }]);
    setCurrent(key);
  }

  return (
    <div className="terminal-panel">
      <div className="pane-head">
        <div className="term-tabs" role="tablist" aria-label="Terminals">
          {(tabs ?? []).map((tab, index) => (
            <button
              key={tab.key}
              type="button"
              role="tab"
              className="tab"
              aria-selected={tab.key === current}
              onClick={() => setCurrent(tab.key)}
            >
              Terminal {index + 1}
            </button>
          ))}
        </div>
        <button type="button" className="secondary small-button" onClick={addTab}>
          + New
        </button>
      </div>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      <div className="terminal-stack">
        {(tabs ?? []).map((tab) => (
          <TerminalView
            key={tab.key}
            sessionId={sessionId}
            terminalId={tab.terminalId}
            fontSize={fontSize}
            visible={tab.key === current}
            onCreated={(terminalId) =>
              setTabs((list) => list?.map((t) => (t.key === tab.key ? { ...t, terminalId } : t)))
            }
          />
        ))}
      </div>
    </div>
  );
}

'use client';

import type { TerminalSummary } from '@grove/contract';
import { useEffect, useState } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';
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
  onCommand,
}: {
  sessionId: string;
  /** The user's preference (/settings); xterm's default size otherwise. */
  fontSize?: number | undefined;
  /** A command was entered in one of the terminals. */
  onCommand?: (() => void) | undefined;
}) {
  const [tabs, setTabs] = useState<Tab[] | undefined>();
  const [current, setCurrent] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [closing, setClosing] = useState<ReadonlySet<string>>(new Set());

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

  /** The worker knows best whether the shell still runs (it may have exited meanwhile). */
  async function isRunning(terminalId: string): Promise<boolean> {
    try {
      const { terminals } = await apiFetch<{ terminals: TerminalSummary[] }>(
        `/api/workspace/session/${sessionId}/terminals`,
        { cache: 'no-store' },
      );
      return terminals.find((t) => t.id === terminalId)?.status === 'running';
    } catch {
      // Cannot tell: asking once too often beats ending a shell unasked.
      return true;
    }
  }

  /**
   * Ends the terminal on the worker (shell, scrollback and all), then drops its tab; closing the
   * shown tab shows its right neighbour, or the left one at the end. A tab that never got a
   * terminal (its ticket failed) just goes.
   */
  async function closeTab(tab: Tab, label: string) {
    const list = tabs ?? [];
    const index = list.findIndex((t) => t.key === tab.key);
    const rest = list.filter((t) => t.key !== tab.key);
    const neighbour = rest[Math.min(index, rest.length - 1)]?.key;
    setError(undefined);
    if (tab.terminalId) {
      setClosing((keys) => new Set(keys).add(tab.key));
      try {
        if (
          (await isRunning(tab.terminalId)) &&
          !window.confirm(`${label} is still running. Close it and end its shell?`)
        )
          return;
        await apiFetch(`/api/workspace/session/${sessionId}/terminals/${tab.terminalId}`, {
          method: 'DELETE',
        });
      } catch (e) {
        // Already gone (closed elsewhere, session deleted): the tab goes all the same.
        if (!(e instanceof ApiError && e.status === 404)) {
          setError(errorMessage(e));
          return;
        }
      } finally {
        setClosing((keys) => withoutKey(keys, tab.key));
      }
    }
    setTabs((all) => all?.filter((t) => t.key !== tab.key));
    setCurrent((key) => (key === tab.key ? neighbour : key));
  }

  // A neighbour closed meanwhile: fall back to the first tab rather than show none.
  const shown = tabs?.some((t) => t.key === current) ? current : tabs?.[0]?.key;

  return (
    <div className="terminal-panel">
      <div className="pane-head">
        <div className="term-tabs" role="tablist" aria-label="Terminals">
          {(tabs ?? []).map((tab, index) => {
            const label = `Terminal ${index + 1}`;
            return (
              <span key={tab.key} className="term-tab" role="presentation">
                <button
                  type="button"
                  role="tab"
                  className="tab"
                  aria-selected={tab.key === shown}
                  tabIndex={tab.key === shown ? 0 : -1}
                  data-term-tab={tab.key}
                  onClick={() => setCurrent(tab.key)}
                  onKeyDown={(event) => {
                    // Arrow keys move along the tab list, as in any tab list.
                    const list = tabs ?? [];
                    const at = list.findIndex((t) => t.key === tab.key);
                    const to =
                      event.key === 'ArrowRight'
                        ? list[(at + 1) % list.length]
                        : event.key === 'ArrowLeft'
                          ? list[(at - 1 + list.length) % list.length]
                          : event.key === 'Home'
                            ? list[0]
                            : event.key === 'End'
                              ? list.at(-1)
                              : undefined;
                    if (!to) return;
                    event.preventDefault();
                    setCurrent(to.key);
                    requestAnimationFrame(() =>
                      document.querySelector<HTMLElement>(`[data-term-tab="${to.key}"]`)?.focus(),
                    );
                  }}
                >
                  {label}
                </button>
                <button
                  type="button"
                  className="term-tab-close"
                  aria-label={`Close terminal ${index + 1}`}
                  title={`Close terminal ${index + 1}`}
                  disabled={closing.has(tab.key)}
                  onClick={() => void closeTab(tab, label)}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </span>
            );
          })}
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
      {tabs?.length === 0 ? (
        <div className="terminal-empty">
          <p className="muted small">No terminals open.</p>
          <button type="button" className="secondary small-button" onClick={addTab}>
            Open a terminal
          </button>
        </div>
      ) : (
        <div className="terminal-stack">
          {(tabs ?? []).map((tab) => (
            <TerminalView
              key={tab.key}
              sessionId={sessionId}
              terminalId={tab.terminalId}
              fontSize={fontSize}
              visible={tab.key === shown}
              onCommand={onCommand}
              onCreated={(terminalId) =>
                setTabs((list) => list?.map((t) => (t.key === tab.key ? { ...t, terminalId } : t)))
              }
            />
          ))}
        </div>
      )}
    </div>
  );
}

function withoutKey(keys: ReadonlySet<string>, key: string): ReadonlySet<string> {
  const next = new Set(keys);
  next.delete(key);
  return next;
}

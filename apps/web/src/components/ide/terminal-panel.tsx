'use client';

import type { Session, TerminalConfigResponse, TerminalSummary } from '@grove/contract';
import { useEffect, useRef, useState } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';
import { errorMessage } from '@/lib/client/format';
import { hasWorktree } from '@/lib/client/session-status';
import {
  addTerminal,
  browserNumberStorage,
  numberTerminals,
  readTerminalNumbers,
  removeTerminal,
  writeTerminalNumbers,
  type TerminalNumbers,
} from '@/lib/client/terminal-numbers';

import { TerminalView } from './terminal-view';

interface Tab {
  terminalId: string;
  /** Its name's number, given when it was made (terminal-numbers.ts). */
  number: number;
  /** The ticket a terminal made here came with, for its first connect. */
  ticket?: TerminalConfigResponse;
}

/**
 * Terminal tabs: the session's terminals from the worker, plus new ones opened here. A shell
 * runs in the session's worktree, so while the session is being created (or if that failed)
 * the panel asks for nothing and says so; it loads (opening Terminal 1 if there is none) once
 * the session is ready.
 */
export function TerminalPanel({
  sessionId,
  sessionStatus,
  fontSize,
  onCommand,
}: {
  sessionId: string;
  /** The session's status as the IDE last read it. */
  sessionStatus: Session['status'];
  /** The user's preference (/settings); xterm's default size otherwise. */
  fontSize?: number | undefined;
  /** A command was entered in one of the terminals. */
  onCommand?: (() => void) | undefined;
}) {
  const [tabs, setTabs] = useState<Tab[] | undefined>();
  const [current, setCurrent] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [closing, setClosing] = useState<ReadonlySet<string>>(new Set());
  const [opening, setOpening] = useState(false);
  const numbers = useRef<TerminalNumbers>({ next: 1, byId: {} });
  const ready = hasWorktree(sessionStatus);
  const tabList = useRef<HTMLDivElement>(null);

  /**
   * Applies `change` to the numbers known here and to those this browser's other pages of the
   * session kept meanwhile, and keeps the result.
   */
  function renumber(change: (known: TerminalNumbers) => TerminalNumbers): TerminalNumbers {
    const storage = browserNumberStorage();
    const stored = readTerminalNumbers(storage, sessionId);
    const known = stored
      ? {
          next: Math.max(stored.next, numbers.current.next),
          byId: { ...stored.byId, ...numbers.current.byId },
        }
      : numbers.current;
    numbers.current = change(known);
    writeTerminalNumbers(storage, sessionId, numbers.current);
    return numbers.current;
  }

  /**
   * Asks the worker for a new terminal and adds its tab; a refusal (past the live terminals a
   * user may have) is shown here and adds none.
   */
  async function openTerminal() {
    setOpening(true);
    setError(undefined);
    try {
      const ticket = await apiFetch<TerminalConfigResponse>(
        `/api/terminal/config?${new URLSearchParams({ sessionId }).toString()}`,
        { cache: 'no-store' },
      );
      const id = ticket.terminalId;
      const number = renumber((known) => addTerminal(known, id)).byId[id] ?? 0;
      setTabs((list) => [...(list ?? []), { terminalId: id, number, ticket }]);
      setCurrent(id);
    } catch (e) {
      setTabs((list) => list ?? []);
      setError(
        e instanceof ApiError && e.status === 429
          ? `Could not open a terminal: ${e.message}`
          : errorMessage(e),
      );
    } finally {
      setOpening(false);
    }
  }
  const open = useRef(openTerminal);
  open.current = openTerminal;

  // Once per session, when it is ready: `ready` changes only from false to true (creating to
  // active), and the status moving on (active, connected, updating) leaves it true. A run
  // cleaned up before its answer (strict mode's double effect) drops it: one terminal opens.
  useEffect(() => {
    if (!ready) return;
    let active = true;
    apiFetch<{ terminals: TerminalSummary[] }>(`/api/workspace/session/${sessionId}/terminals`, {
      cache: 'no-store',
    })
      .then(({ terminals }) => {
        if (!active) return;
        // Listed in the order they were made.
        const ids = terminals.filter((t) => t.status !== 'previous' || t.seq > 0).map((t) => t.id);
        const storage = browserNumberStorage();
        numbers.current = numberTerminals(readTerminalNumbers(storage, sessionId), ids);
        writeTerminalNumbers(storage, sessionId, numbers.current);
        if (ids.length === 0) {
          void open.current();
          return;
        }
        setTabs(ids.map((id) => ({ terminalId: id, number: numbers.current.byId[id] ?? 0 })));
        setCurrent(ids[0]);
      })
      .catch((e: unknown) => {
        if (active) setError(errorMessage(e));
      });
    return () => {
      active = false;
    };
  }, [sessionId, ready]);

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
   * shown tab shows its right neighbour, or the left one at the end.
   */
  async function closeTab(tab: Tab, label: string) {
    const id = tab.terminalId;
    const list = tabs ?? [];
    const index = list.findIndex((t) => t.terminalId === id);
    const rest = list.filter((t) => t.terminalId !== id);
    const neighbour = rest[Math.min(index, rest.length - 1)]?.terminalId;
    setError(undefined);
    setClosing((ids) => new Set(ids).add(id));
    try {
      if (
        (await isRunning(id)) &&
        !window.confirm(`${label} is still running. Close it and end its shell?`)
      )
        return;
      await apiFetch(`/api/workspace/session/${sessionId}/terminals/${id}`, { method: 'DELETE' });
    } catch (e) {
      // Already gone (closed elsewhere, session deleted): the tab goes all the same.
      if (!(e instanceof ApiError && e.status === 404)) {
        setError(errorMessage(e));
        return;
      }
    } finally {
      setClosing((ids) => withoutKey(ids, id));
    }
    renumber((known) => removeTerminal(known, id));
    setTabs((all) => all?.filter((t) => t.terminalId !== id));
    setCurrent((shownId) => (shownId === id ? neighbour : shownId));
  }

  // A neighbour closed meanwhile: fall back to the first tab rather than show none.
  const shown = tabs?.some((t) => t.terminalId === current) ? current : tabs?.[0]?.terminalId;

  // The shown tab is scrolled into the tab bar when there are more than it can hold.
  useEffect(() => {
    const bar = tabList.current;
    const tab = bar?.querySelector(`[data-term-tab="${shown}"]`)?.parentElement;
    if (bar && tab) revealHorizontally(bar, tab);
  }, [shown, tabs]);

  return (
    <div className="terminal-panel">
      <div className="pane-head">
        <div ref={tabList} className="term-tabs" role="tablist" aria-label="Terminals">
          {(tabs ?? []).map((tab) => {
            const label = `Terminal ${tab.number}`;
            return (
              <span key={tab.terminalId} className="term-tab" role="presentation">
                <button
                  type="button"
                  role="tab"
                  className="tab"
                  aria-selected={tab.terminalId === shown}
                  tabIndex={tab.terminalId === shown ? 0 : -1}
                  data-term-tab={tab.terminalId}
                  onClick={() => setCurrent(tab.terminalId)}
                  onKeyDown={(event) => {
                    // Arrow keys move along the tab list, as in any tab list.
                    const list = tabs ?? [];
                    const at = list.findIndex((t) => t.terminalId === tab.terminalId);
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
                    setCurrent(to.terminalId);
                    requestAnimationFrame(() =>
                      document
                        .querySelector<HTMLElement>(`[data-term-tab="${to.terminalId}"]`)
                        ?.focus(),
                    );
                  }}
                >
                  {label}
                </button>
                <button
                  type="button"
                  className="term-tab-close"
                  aria-label={`Close terminal ${tab.number}`}
                  title={`Close terminal ${tab.number}`}
                  disabled={closing.has(tab.terminalId)}
                  onClick={() => void closeTab(tab, label)}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </span>
            );
          })}
        </div>
        <button
          type="button"
          className="secondary small-button term-new"
          disabled={opening || !ready}
          onClick={() => void openTerminal()}
        >
          + New
        </button>
      </div>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      {!ready ? (
        <div className="terminal-empty">
          <p className="muted small" role="status">
            {sessionStatus === 'creating'
              ? 'The terminal opens once the session is ready.'
              : sessionStatus === 'failed'
                ? 'This session has no worktree, so no terminal.'
                : 'This session is being deleted.'}
          </p>
        </div>
      ) : tabs?.length === 0 ? (
        <div className="terminal-empty">
          <p className="muted small">No terminals open.</p>
          <button
            type="button"
            className="secondary small-button"
            disabled={opening}
            onClick={() => void openTerminal()}
          >
            Open a terminal
          </button>
        </div>
      ) : (
        <div className="terminal-stack">
          {(tabs ?? []).map((tab) => (
            <TerminalView
              key={tab.terminalId}
              sessionId={sessionId}
              terminalId={tab.terminalId}
              ticket={tab.ticket}
              fontSize={fontSize}
              visible={tab.terminalId === shown}
              onCommand={onCommand}
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

/** Scrolls `bar` sideways, as little as it takes, so that all of `item` is in view. */
function revealHorizontally(bar: HTMLElement, item: Element): void {
  const outer = bar.getBoundingClientRect();
  const inner = item.getBoundingClientRect();
  if (inner.left < outer.left) bar.scrollLeft -= outer.left - inner.left;
  else if (inner.right > outer.right) bar.scrollLeft += inner.right - outer.right;
}

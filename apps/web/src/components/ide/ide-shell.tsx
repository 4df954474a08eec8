'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import type { Session } from '@grove/contract';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

import { signInPath } from '@/lib/auth/next-path';
import { browserDraftStorage, clearSessionDrafts, moveDrafts } from '@/lib/client/drafts';
import { isWithin, movedPath } from '@/lib/client/file-tree-model';
import { hasWorktree } from '@/lib/client/session-status';
import { SessionWatch, type SessionWatchStatus } from '@/lib/client/session-watch';

import { ChangesPanel } from './changes-panel';
import { ChatPanel } from './chat-panel';
import { CodeEditor } from './code-editor';
import { FileTree } from './file-tree';
import { TerminalPanel } from './terminal-panel';

/** After Enter in a terminal, when the files and changes are read again. */
const COMMAND_SETTLE_MS = [1_500, 6_000];

export type PaneId = 'files' | 'editor' | 'terminal' | 'chat' | 'changes';
const PANES: { id: PaneId; label: string }[] = [
  { id: 'files', label: 'Files' },
  { id: 'editor', label: 'Editor' },
  { id: 'terminal', label: 'Terminal' },
  { id: 'chat', label: 'Chat' },
  { id: 'changes', label: 'Changes' },
];

/**
 * The IDE for one session. On a wide screen files, editor + terminal and chat/changes sit side
 * by side; below 900 px the same panes become tabs (one at a time) so a phone can use all of
 * them. Every pane stays mounted either way: the terminal socket and a running chat stream
 * survive switching tabs.
 *
 * A SessionWatch keeps asking whether the session is still there: an outage (the worker
 * restarting, say) shows a banner over the IDE and is retried until it answers, and a session
 * deleted elsewhere replaces the IDE with a page that says so (its panes, and their polling,
 * go with it).
 */
export function IdeShell({
  sessionId,
  initialSession,
  terminalFontSize,
}: {
  sessionId: string;
  /** The session as the page loaded it on the server, if it could. */
  initialSession?: Session | undefined;
  terminalFontSize?: number | undefined;
}) {
  const [session, setSession] = useState<Session | undefined>(initialSession);
  const [watchStatus, setWatchStatus] = useState<SessionWatchStatus>(
    initialSession ? { kind: 'ok' } : { kind: 'loading' },
  );
  const watch = useRef<SessionWatch | undefined>(undefined);
  // The server's copy serves the first render (the page keys this component by session).
  const firstSession = useRef(initialSession);
  useEffect(() => {
    const sessionWatch = new SessionWatch({
      sessionId,
      onSession: setSession,
      onStatus: setWatchStatus,
    });
    watch.current = sessionWatch;
    sessionWatch.start(firstSession.current);
    const online = () => void sessionWatch.check();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      sessionWatch.dispose();
    };
  }, [sessionId]);
  const checkSession = useCallback(() => void watch.current?.check(), []);
  // The file to open first: the address's `?file=` (kept up to date below).
  const initialPath = useSearchParams().get('file') || undefined;
  const [mobilePane, setMobilePane] = useState<PaneId>(initialPath ? 'editor' : 'files');
  const [sidePane, setSidePane] = useState<'chat' | 'changes'>('chat');
  const [openPath, setOpenPath] = useState<string | undefined>(initialPath);
  // The open file is part of the address: a reload, Back and Forward, or a shared link open it
  // again (replaced, not pushed: Back leaves the session rather than stepping through files).
  useEffect(() => {
    const url = new URL(window.location.href);
    if (openPath) url.searchParams.set('file', openPath);
    else url.searchParams.delete('file');
    if (url.href !== window.location.href) window.history.replaceState(null, '', url);
  }, [openPath]);
  // Bumped whenever the worktree may have changed (agent run done, save, commit, update).
  const [worktreeVersion, setWorktreeVersion] = useState(0);
  const touched = useCallback(() => setWorktreeVersion((v) => v + 1), []);
  // A command typed in the terminal may change files: look again once it has had a moment,
  // and once more for a longer one (each Enter starts the wait over).
  const commandTimers = useRef<ReturnType<typeof setTimeout>[]>([]);
  const commandRan = useCallback(() => {
    for (const timer of commandTimers.current) clearTimeout(timer);
    commandTimers.current = COMMAND_SETTLE_MS.map((ms) => setTimeout(touched, ms));
  }, [touched]);
  useEffect(() => () => commandTimers.current.forEach(clearTimeout), []);
  // Back to this tab or window: anything may have changed meanwhile.
  useEffect(() => {
    const back = () => {
      if (document.visibilityState === 'visible') touched();
    };
    document.addEventListener('visibilitychange', back);
    window.addEventListener('focus', back);
    return () => {
      document.removeEventListener('visibilitychange', back);
      window.removeEventListener('focus', back);
    };
  }, [touched]);

  // The worktree changing (or the page coming back into view) reads the session again too.
  const checkedVersion = useRef(worktreeVersion);
  useEffect(() => {
    if (checkedVersion.current === worktreeVersion) return;
    checkedVersion.current = worktreeVersion;
    checkSession();
  }, [worktreeVersion, checkSession]);
  // Back after an outage: whatever changed meanwhile is read again.
  const wasDown = useRef(false);
  useEffect(() => {
    if (watchStatus.kind === 'reconnecting') wasDown.current = true;
    if (watchStatus.kind !== 'ok' || !wasDown.current) return;
    wasDown.current = false;
    touched();
  }, [watchStatus, touched]);
  useEffect(() => {
    if (watchStatus.kind === 'signed-out')
      window.location.href = signInPath(window.location.pathname + window.location.search);
    // Unsaved edits kept in this browser go with the session (as when it is deleted here).
    // After the editor's own last flush: its cleanup runs before this effect.
    if (watchStatus.kind === 'gone') clearSessionDrafts(browserDraftStorage(), sessionId);
  }, [watchStatus, sessionId]);

  const [editorDirty, setEditorDirty] = useState(false);
  // Set when the open file's path changed because it was renamed (its edits come along).
  const [renamedFrom, setRenamedFrom] = useState<string | undefined>();
  const openFile = useCallback(
    (path: string) => {
      // Opening another file replaces the editor's document: unsaved edits would be gone.
      if (
        editorDirty &&
        path !== openPath &&
        !window.confirm(`${openPath ?? 'The open file'} has unsaved changes. Discard them?`)
      )
        return;
      setRenamedFrom(undefined);
      setOpenPath(path);
      setMobilePane('editor');
    },
    [editorDirty, openPath],
  );
  // Renamed or moved in the file tree: drafts kept in this browser and the editor follow it.
  const moved = useCallback(
    (from: string, to: string) => {
      moveDrafts(browserDraftStorage(), sessionId, from, to);
      if (openPath && isWithin(openPath, from)) {
        setRenamedFrom(openPath);
        setOpenPath(movedPath(openPath, from, to));
      }
      touched();
    },
    [sessionId, openPath, touched],
  );

  function show(pane: PaneId) {
    setMobilePane(pane);
    if (pane === 'chat' || pane === 'changes') setSidePane(pane);
  }

  if (watchStatus.kind === 'gone') return <SessionGone />;
  if (watchStatus.kind === 'signed-out')
    return (
      <main>
        <p className="muted" role="status">
          Signed out: on to sign in again…
        </p>
      </main>
    );
  // Nothing to show before the session is known: the panes would only fail one by one.
  if (!session)
    return (
      <main>
        {watchStatus.kind === 'reconnecting' ? (
          <Reconnecting status={watchStatus} onRetry={checkSession} />
        ) : (
          <p className="muted" role="status">
            Loading the session…
          </p>
        )}
        <p>
          <Link href="/">Back to sessions</Link>
        </p>
      </main>
    );

  return (
    <div className="ide" data-mobile-pane={mobilePane} data-side-pane={sidePane}>
      <header className="ide-top">
        <Link href="/" className="brand">
          Grove
        </Link>
        <div className="ide-title">
          <strong className="break">{session.name ?? session.repo}</strong>
          <span className="muted small">
            <code>{session.branchName}</code> from <code>{session.baseBranch}</code>{' '}
            {/* Active or connected (a terminal is open) is simply working: said only otherwise. */}
            {session.status !== 'active' && session.status !== 'connected' && (
              <span className={`status ${session.status}`}>{session.status}</span>
            )}
          </span>
        </div>
        {/* On a phone the brand leads home, where the same links are. */}
        <nav aria-label="Main" className="ide-nav hide-narrow">
          <Link href="/workers">Workers</Link>
          <Link href="/settings">Settings</Link>
          <form action="/auth/signout" method="post">
            <button type="submit" className="secondary">
              Sign out
            </button>
          </form>
        </nav>
      </header>
      {watchStatus.kind === 'reconnecting' && (
        <div className="ide-banner">
          <Reconnecting status={watchStatus} onRetry={checkSession} />
        </div>
      )}
      <nav className="ide-tabs" aria-label="Panels">
        {PANES.map((pane) => (
          <button
            key={pane.id}
            type="button"
            className="tab"
            aria-pressed={mobilePane === pane.id}
            data-pane-tab={pane.id}
            onClick={() => show(pane.id)}
          >
            {pane.label}
          </button>
        ))}
      </nav>
      <div className="ide-grid">
        <section className="pane" data-pane="files" aria-label="Files">
          <NeedsWorktree session={session} what="The files show">
            <FileTree
              sessionId={sessionId}
              version={worktreeVersion}
              selected={openPath}
              onOpen={openFile}
              onMoved={moved}
              onChanged={touched}
            />
          </NeedsWorktree>
        </section>
        <section className="pane" data-pane="editor" aria-label="Editor">
          <NeedsWorktree session={session} what="Files open">
            <CodeEditor
              sessionId={sessionId}
              path={openPath}
              renamedFrom={renamedFrom}
              onSaved={touched}
              onDirtyChange={setEditorDirty}
              onNotFound={checkSession}
              worktreeVersion={worktreeVersion}
            />
          </NeedsWorktree>
        </section>
        <section className="pane" data-pane="terminal" aria-label="Terminal">
          <TerminalPanel
            sessionId={sessionId}
            sessionStatus={session.status}
            fontSize={terminalFontSize}
            onCommand={commandRan}
          />
        </section>
        <aside className="pane side" data-pane="chat" aria-label="Chat">
          <div className="side-tabs" role="tablist" aria-label="Side panel">
            <SideTab id="chat" current={sidePane} onSelect={setSidePane} />
            <SideTab id="changes" current={sidePane} onSelect={setSidePane} />
          </div>
          <ChatPanel sessionId={sessionId} onRunFinished={touched} />
        </aside>
        <aside className="pane side" data-pane="changes" aria-label="Changes">
          <div className="side-tabs" role="tablist" aria-label="Side panel">
            <SideTab id="chat" current={sidePane} onSelect={setSidePane} />
            <SideTab id="changes" current={sidePane} onSelect={setSidePane} />
          </div>
          <NeedsWorktree session={session} what="Changes show">
            <ChangesPanel
              sessionId={sessionId}
              session={session}
              version={worktreeVersion}
              onChanged={touched}
            />
          </NeedsWorktree>
        </aside>
      </div>
    </div>
  );
}

/**
 * A pane that reads the worktree: its content once the session has one, before that (or when
 * it has none) a note saying so. The terminal pane waits by itself.
 */
function NeedsWorktree({
  session,
  what,
  children,
}: {
  session: Session;
  what: string;
  children: ReactNode;
}) {
  const { status, error } = session;
  if (hasWorktree(status)) return children;
  return (
    <p className="muted small pane-waiting" role="status">
      {status === 'creating'
        ? `${what} once the session is ready.`
        : status === 'failed'
          ? `This session has no worktree${error ? `: ${error}` : '.'}`
          : 'This session is being deleted.'}
    </p>
  );
}

/** The session could not be read (the worker down, the network gone): retried until it is. */
function Reconnecting({
  status,
  onRetry,
}: {
  status: Extract<SessionWatchStatus, { kind: 'reconnecting' }>;
  onRetry: () => void;
}) {
  return (
    <p className="small" role="status" data-testid="session-reconnecting">
      <span className="error">Cannot reach the session: {status.message}.</span> Reconnecting in{' '}
      {Math.ceil(status.inMs / 1000)}s…{' '}
      <button type="button" className="secondary small-button" onClick={onRetry}>
        Retry now
      </button>
    </p>
  );
}

/** Deleted (in another tab, say) while open here. */
function SessionGone() {
  return (
    <main>
      <h1>This session was deleted</h1>
      <p role="alert">
        It was deleted while it was open here, perhaps from another tab. Its uncommitted changes and
        unpushed commits were kept: restore them into another session of the repository from its
        Changes panel.
      </p>
      <p>
        <Link href="/">Back to sessions</Link>
      </p>
    </main>
  );
}

/**
 * Chat and Changes: each panel carries both tabs, so choosing one shows the other panel; the
 * focus follows to the same tab there. Arrow keys move between them, as in any tab list.
 */
function SideTab({
  id,
  current,
  onSelect,
}: {
  id: 'chat' | 'changes';
  current: string;
  onSelect: (id: 'chat' | 'changes') => void;
}) {
  const choose = (target: 'chat' | 'changes') => {
    onSelect(target);
    requestAnimationFrame(() =>
      document
        .querySelector<HTMLElement>(
          `.pane[data-pane="${target}"] [role="tab"][data-side-tab="${target}"]`,
        )
        ?.focus(),
    );
  };
  return (
    <button
      type="button"
      role="tab"
      aria-selected={current === id}
      tabIndex={current === id ? 0 : -1}
      data-side-tab={id}
      className="tab"
      onClick={() => choose(id)}
      onKeyDown={(event) => {
        if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
        event.preventDefault();
        choose(
          event.key === 'Home'
            ? 'chat'
            : event.key === 'End'
              ? 'changes'
              : id === 'chat'
                ? 'changes'
                : 'chat',
        );
      }}
    >
      {id === 'chat' ? 'Chat' : 'Changes'}
    </button>
  );
}

'use client';

import '@xterm/xterm/css/xterm.css';

import type { TerminalConfigResponse } from '@grove/contract';
import { useEffect, useRef, useState } from 'react';

import {
  shellEnded,
  TerminalConnection,
  type TerminalStatus,
} from '@/lib/client/terminal-connection';

import { attachGpuRenderer, type GpuRenderer } from './terminal-renderer';

interface Props {
  sessionId: string;
  terminalId: string;
  /** The ticket the terminal was made with (a new one), for its first connect. */
  ticket?: TerminalConfigResponse | undefined;
  /** Read when the terminal opens (a change applies to terminals opened after it). */
  fontSize?: number | undefined;
  visible: boolean;
  /** The user pressed Enter: a command may be about to change the worktree. */
  onCommand?: (() => void) | undefined;
}

/** What tests and assistive tooling can read: the terminal's buffer as plain lines. */
export interface TerminalHost extends HTMLDivElement {
  readBuffer?: () => string;
}

/** xterm's size when the user set none. */
const DEFAULT_FONT_SIZE = 13;

/**
 * One xterm.js terminal wired to a TerminalConnection. WebGL renders when it can and draws
 * right; otherwise xterm's DOM renderer does (terminal-renderer.ts).
 */
export function TerminalView({
  sessionId,
  terminalId,
  ticket,
  fontSize,
  visible,
  onCommand,
}: Props) {
  const host = useRef<TerminalHost>(null);
  const fitBox = useRef<HTMLDivElement>(null);
  const connection = useRef<TerminalConnection | undefined>(undefined);
  const fitRef = useRef<() => void>(() => undefined);
  const gpuRef = useRef<GpuRenderer | undefined>(undefined);
  const [status, setStatus] = useState<TerminalStatus>({ kind: 'connecting' });
  // Read once, when the terminal opens.
  const initial = useRef({ terminalId, ticket, fontSize: fontSize ?? DEFAULT_FONT_SIZE });
  const command = useRef(onCommand);
  command.current = onCommand;

  useEffect(() => {
    const element = host.current;
    // xterm goes in an element of its own, without padding or border: the fit addon takes the
    // computed width of xterm's parent as room for columns, and with `box-sizing: border-box`
    // that width includes the padding (the host's would cost the last column).
    const box = fitBox.current;
    if (!element || !box) return;
    let disposed = false;
    let cleanup = () => undefined as void;
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([
        import('@xterm/xterm'),
        import('@xterm/addon-fit'),
      ]);
      if (disposed) return;
      const term = new Terminal({
        cursorBlink: true,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
        fontSize: initial.current.fontSize,
        scrollback: 10_000,
        theme: { background: '#0b0d11' },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(box);
      // The renderers size cells differently: fit again whenever it changes.
      const gpu = attachGpuRenderer(term, () => fitRef.current());
      gpuRef.current = gpu;
      // Tab belongs to the shell (completion); Escape then Tab leaves the terminal, as in the
      // editor. The Escape still reaches the shell.
      let escaped = false;
      term.attachCustomKeyEventHandler((event) => {
        if (event.type !== 'keydown') return true;
        if (event.key === 'Tab' && escaped && !event.ctrlKey && !event.altKey && !event.metaKey) {
          escaped = false;
          return false; // not for the shell: the browser moves the focus
        }
        escaped = event.key === 'Escape';
        return true;
      });
      term.textarea?.setAttribute('aria-label', 'Terminal (Escape then Tab leaves it)');
      element.readBuffer = () => {
        const buffer = term.buffer.active;
        const lines: string[] = [];
        for (let i = 0; i < buffer.length; i += 1)
          lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
        return lines.join('\n');
      };
      // While a replay renders at the size it was produced at, fitting would undo that.
      let replaying = false;
      const conn = new TerminalConnection({
        sessionId,
        terminalId: initial.current.terminalId,
        ticket: initial.current.ticket,
        sink: {
          write: (data, processed) => term.write(data, processed),
          notice: (message) => term.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`),
          beginReplay: (cols, rows) => {
            replaying = true;
            term.resize(cols, rows);
          },
          endReplay: () => {
            replaying = false;
            fitRef.current();
          },
        },
        onStatus: setStatus,
      });
      connection.current = conn;
      const inputs = term.onData((data) => {
        conn.input(data);
        if (data.includes('\r')) command.current?.();
      });
      const resizes = term.onResize(({ cols, rows }) => {
        conn.resize(cols, rows);
        gpu.check();
      });
      fitRef.current = () => {
        // A hidden pane has no size; fitting it would shrink the PTY to nothing.
        if (!replaying && box.offsetWidth > 0 && box.offsetHeight > 0) fit.fit();
      };
      fitRef.current();
      conn.resize(term.cols, term.rows);
      const observer = new ResizeObserver(() => {
        fitRef.current();
        gpu.check();
      });
      observer.observe(box);
      conn.start();
      cleanup = () => {
        observer.disconnect();
        inputs.dispose();
        resizes.dispose();
        conn.dispose();
        gpu.dispose();
        term.dispose();
      };
      if (disposed) cleanup();
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [sessionId]);

  useEffect(() => {
    if (!visible) return;
    fitRef.current();
    gpuRef.current?.check();
  }, [visible]);

  return (
    <div className="terminal-view" hidden={!visible}>
      <TerminalStatusLine status={status} onRestart={() => connection.current?.restart()} />
      <div
        ref={host}
        className="terminal-host"
        data-testid="terminal"
        data-font-size={initial.current.fontSize}
      >
        <div ref={fitBox} className="terminal-fit" />
      </div>
    </div>
  );
}

function TerminalStatusLine({
  status,
  onRestart,
}: {
  status: TerminalStatus;
  onRestart: () => void;
}) {
  if (status.kind === 'connected') return null;
  return (
    <div className="terminal-status small" role="status">
      {status.kind === 'connecting' && 'Connecting…'}
      {status.kind === 'reconnecting' &&
        (status.waiting
          ? `Waiting for a free terminal (${status.reason}); trying again in ${Math.ceil(status.inMs / 1000)}s…`
          : `Connection lost (${status.reason}); reconnecting in ${Math.ceil(status.inMs / 1000)}s…`)}
      {status.kind === 'failed' && <span className="error">{status.message}</span>}
      {status.kind === 'exited' && (
        <>
          {shellEnded(status)}{' '}
          <button type="button" className="small-button" onClick={onRestart}>
            Restart
          </button>
        </>
      )}
    </div>
  );
}

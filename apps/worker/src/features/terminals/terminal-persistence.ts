import type { PreviousShell, ShellEnd, Terminal } from './terminal';
import { TerminalLimits } from './terminal-limits';
import type { TerminalRow, TerminalStore } from './terminal-store';

/**
 * Writes a terminal's row: its status, size, seq and the end of its scrollback (what survives
 * a worker restart). The terminal is clean afterwards.
 */
export function persistTerminal(store: TerminalStore, terminal: Terminal): void {
  const scrollback = terminal.buffer.since(
    terminal.seq - TerminalLimits.PersistedScrollbackBytes,
  ).data;
  store.save({
    id: terminal.id,
    session_id: terminal.sessionId,
    user_id: terminal.userId,
    status: terminal.running ? 'running' : 'exited',
    cols: terminal.cols,
    rows: terminal.rows,
    seq: terminal.seq,
    scrollback,
    // Null for a shell a signal ended: node-pty's exit code 0 would read as a clean `exit`.
    exit_code: terminal.exitSignal === undefined ? (terminal.exitCode ?? null) : null,
    created_at: terminal.createdAt,
  });
  terminal.dirty = false;
}

/**
 * The scrollback a fresh shell with a known id starts from, and why its last shell is gone:
 * all the output of that shell when this worker still has it, else what was persisted.
 */
export function previousShell(live: Terminal | undefined, row: TerminalRow): PreviousShell {
  return live
    ? { scrollback: live.buffer.since(0).data, seq: live.seq, end: liveShellEnd(live) }
    : { scrollback: row.scrollback, seq: row.seq, end: persistedShellEnd(row) };
}

function liveShellEnd(terminal: Terminal): ShellEnd {
  if (terminal.exitSignal !== undefined) return { reason: 'signal', signal: terminal.exitSignal };
  return typeof terminal.exitCode === 'number'
    ? { reason: 'exited', exitCode: terminal.exitCode }
    : { reason: 'signal', signal: null };
}

/**
 * `previous` rows were running when the worker stopped. An `exited` row keeps its shell's exit
 * code, or null when a signal ended it; a `running` row with no live shell is one being reaped.
 */
function persistedShellEnd(row: TerminalRow): ShellEnd {
  if (row.status === 'previous') return { reason: 'worker_restarted' };
  return row.status === 'exited' && row.exit_code !== null
    ? { reason: 'exited', exitCode: row.exit_code }
    : { reason: 'signal', signal: null };
}

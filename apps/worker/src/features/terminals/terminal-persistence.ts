import type { Terminal } from './terminal';
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
    exit_code: terminal.exitCode ?? null,
    created_at: terminal.createdAt,
  });
  terminal.dirty = false;
}

/**
 * The scrollback a fresh shell with a known id starts from: all the output of its last shell
 * when this worker still has it, else what was persisted.
 */
export function previousScrollback(
  live: Terminal | undefined,
  row: TerminalRow,
): { scrollback: Buffer; seq: number } {
  return live
    ? { scrollback: live.buffer.since(0).data, seq: live.seq }
    : { scrollback: row.scrollback, seq: row.seq };
}

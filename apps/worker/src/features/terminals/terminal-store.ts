import type { Db } from '../../db/database';

export interface TerminalRow {
  id: string;
  session_id: string;
  user_id: string;
  status: 'running' | 'exited' | 'previous';
  cols: number;
  rows: number;
  seq: number;
  scrollback: Buffer;
  exit_code: number | null;
  created_at: string;
  updated_at: string;
}

/** Terminal rows in SQLite. Local only: no outbox, terminals are not synced. */
export class TerminalStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get(id: string): TerminalRow | undefined {
    return this.#db.prepare<[string], TerminalRow>('SELECT * FROM terminals WHERE id = ?').get(id);
  }

  listForSession(sessionId: string): TerminalRow[] {
    return this.#db
      .prepare<[string], TerminalRow>(
        'SELECT * FROM terminals WHERE session_id = ? ORDER BY created_at, id',
      )
      .all(sessionId);
  }

  save(row: Omit<TerminalRow, 'updated_at'>): void {
    this.#db
      .prepare(
        `INSERT INTO terminals (id, session_id, user_id, status, cols, rows, seq, scrollback, exit_code, created_at, updated_at)
         VALUES (@id, @session_id, @user_id, @status, @cols, @rows, @seq, @scrollback, @exit_code, @created_at, @updated_at)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, cols = excluded.cols, rows = excluded.rows,
           seq = excluded.seq, scrollback = excluded.scrollback, exit_code = excluded.exit_code, updated_at = excluded.updated_at`,
      )
      .run({ ...row, updated_at: new Date().toISOString() });
  }

  /** After a restart every shell that was running is gone: its row becomes `previous`. */
  markRunningAsPrevious(): number {
    return this.#db
      .prepare("UPDATE terminals SET status = 'previous' WHERE status = 'running'")
      .run().changes;
  }

  deleteForSession(sessionId: string): void {
    this.#db.prepare('DELETE FROM terminals WHERE session_id = ?').run(sessionId);
  }

  delete(id: string): void {
    this.#db.prepare('DELETE FROM terminals WHERE id = ?').run(id);
  }
}

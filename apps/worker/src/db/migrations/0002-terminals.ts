/** Terminal metadata and the scrollback tail: local only, never synced (persistence matrix). */
export const sql = `
CREATE TABLE terminals (
  id          TEXT PRIMARY KEY,
  session_id  TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('running','exited','previous')),
  cols        INTEGER NOT NULL,
  rows        INTEGER NOT NULL,
  seq         INTEGER NOT NULL DEFAULT 0,
  scrollback  BLOB NOT NULL DEFAULT x'',
  exit_code   INTEGER,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX terminals_session ON terminals (session_id);
`;

/**
 * Agent chat: one conversation per session (the engine's own session id, the event counter),
 * runs (one user message and the agent's answer), and every SSE event of every run, stored
 * before it is sent so a reconnect can replay exactly what was missed.
 */
export const sql = `
CREATE TABLE chat_conversations (
  session_id        TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  user_id           TEXT NOT NULL,
  engine            TEXT NOT NULL,
  engine_session_id TEXT,
  -- the engine's running usage total for engine_session_id (JSON), to turn it into per-run usage
  engine_usage      TEXT,
  last_event_id     INTEGER NOT NULL DEFAULT 0,
  version           INTEGER NOT NULL DEFAULT 1,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
) STRICT;

CREATE TABLE chat_runs (
  id             TEXT PRIMARY KEY,
  session_id     TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  user_id        TEXT NOT NULL,
  prompt         TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('running','completed','failed','stopped','interrupted')),
  first_event_id INTEGER NOT NULL,
  input_tokens   INTEGER NOT NULL DEFAULT 0,
  output_tokens  INTEGER NOT NULL DEFAULT 0,
  cost_usd       REAL NOT NULL DEFAULT 0,
  started_at     TEXT NOT NULL,
  ended_at       TEXT
) STRICT;
CREATE INDEX chat_runs_session ON chat_runs (session_id, started_at);
CREATE INDEX chat_runs_user_time ON chat_runs (user_id, started_at);
CREATE INDEX chat_runs_running ON chat_runs (status) WHERE status = 'running';

CREATE TABLE chat_events (
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  id         INTEGER NOT NULL,
  run_id     TEXT NOT NULL,
  type       TEXT NOT NULL,
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (session_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX chat_events_run ON chat_events (run_id, id);
`;

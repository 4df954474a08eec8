/**
 * Files and git: the session's pull request and "base moved" flag, GitHub webhook deliveries
 * already handled (so a redelivery does nothing twice), and WIP snapshots of deleted sessions.
 */
export const sql = `
ALTER TABLE sessions ADD COLUMN pr_number INTEGER;
ALTER TABLE sessions ADD COLUMN pr_url TEXT;
ALTER TABLE sessions ADD COLUMN pr_state TEXT CHECK (pr_state IN ('open','closed','merged'));
ALTER TABLE sessions ADD COLUMN base_moved_at TEXT;

CREATE TABLE webhook_deliveries (
  delivery_id TEXT PRIMARY KEY,
  event       TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT;

CREATE TABLE wip_snapshots (
  session_id  TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL,
  repo_key    TEXT NOT NULL,
  ref         TEXT NOT NULL,
  sha         TEXT NOT NULL,
  files       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  restored_at TEXT
) STRICT;
CREATE INDEX wip_snapshots_user ON wip_snapshots (user_id, created_at);
`;

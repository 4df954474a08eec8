/** Sessions, idempotency keys, the audit trail and the sync outbox. */
export const sql = `
CREATE TABLE sessions (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL,
  repo          TEXT NOT NULL,
  repo_key      TEXT NOT NULL,
  remote_url    TEXT NOT NULL,
  base_branch   TEXT NOT NULL,
  branch_name   TEXT NOT NULL,
  name          TEXT,
  status        TEXT NOT NULL CHECK (status IN ('creating','active','connected','updating','deleting','failed')),
  error         TEXT,
  worktree_path TEXT NOT NULL,
  pushed_at     TEXT,
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_repo_status ON sessions (user_id, repo_key, status);

CREATE TABLE idempotency_keys (
  user_id      TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  session_id   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  PRIMARY KEY (user_id, key)
) STRICT;

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id     TEXT,
  action      TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id   TEXT,
  request_id  TEXT,
  detail      TEXT,
  created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  entity      TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  op          TEXT NOT NULL CHECK (op IN ('upsert','delete')),
  version     INTEGER NOT NULL,
  payload     TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  sent_at     TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (sent_at, id);
`;

/**
 * Dead letters: an outbox entry Supabase refuses for good (a constraint, a bad value) is moved
 * aside after a few attempts instead of blocking every entry behind it. It stays in the table,
 * with its last error, for an operator to inspect and replay.
 */
export const sql = `
ALTER TABLE outbox ADD COLUMN dead_lettered_at TEXT;
CREATE INDEX outbox_dead_letters ON outbox (dead_lettered_at) WHERE dead_lettered_at IS NOT NULL;
`;

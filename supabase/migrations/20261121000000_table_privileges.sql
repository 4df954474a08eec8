-- Supabase's default privileges give anon and authenticated every privilege on a table the
-- first migration creates; it revoked anon's and granted authenticated what it needs, on top
-- of those defaults. So authenticated could still insert, update, delete and truncate the
-- synced tables, held back by row level security alone (which does not cover truncate).
-- Exactly what each role needs, and nothing else. Safe to apply again.
revoke all on public.workspace_sessions, public.conversations, public.chat_events,
  public.activity, public.github_tokens, public.user_preferences, public.workers
  from anon, authenticated;
grant select on public.workspace_sessions, public.conversations, public.chat_events,
  public.workers to authenticated;
grant select, insert on public.activity to authenticated;
grant select, insert, update, delete on public.github_tokens, public.user_preferences
  to authenticated;
grant all on public.workspace_sessions, public.conversations, public.chat_events,
  public.activity, public.github_tokens, public.user_preferences, public.workers to service_role;

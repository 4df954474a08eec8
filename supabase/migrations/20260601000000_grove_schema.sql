-- Grove's Supabase schema: what the worker syncs from SQLite (sessions, conversations, chat
-- events, workers) and what only the web writes (GitHub tokens, preferences, activity).
-- Row level security on every table: a user sees and writes only their own rows, the worker
-- syncs with the service role, anon sees nothing.
--
-- user_id is text, not uuid: it is the worker's user id (the Supabase auth uid as text), and
-- a text column never turns a stray id into a poison row the sync cannot apply.

create table public.workspace_sessions (
  id          text primary key,
  user_id     text not null,
  repo        text not null,
  base_branch text not null,
  branch_name text not null,
  name        text,
  status      text not null,
  error       text,
  pushed_at   timestamptz,
  -- the whole Session object as the worker answers it (additive fields included)
  data        jsonb not null,
  version     bigint not null,
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  -- tombstone: a deleted session keeps its row so an older version can never resurrect it
  deleted_at  timestamptz
);
create index workspace_sessions_user on public.workspace_sessions (user_id, created_at desc);

create table public.conversations (
  session_id    text primary key,
  user_id       text not null,
  engine        text not null,
  last_event_id bigint not null,
  runs          jsonb not null default '[]'::jsonb,
  version       bigint not null,
  updated_at    timestamptz not null default now()
);
create index conversations_user on public.conversations (user_id);

create table public.chat_events (
  session_id text not null,
  event_id   bigint not null,
  user_id    text not null,
  run_id     text not null,
  type       text not null,
  data       jsonb not null,
  created_at timestamptz not null,
  primary key (session_id, event_id)
);
create index chat_events_user on public.chat_events (user_id);

create table public.activity (
  id         uuid primary key default gen_random_uuid(),
  user_id    text not null default (auth.uid())::text,
  kind       text not null check (length(kind) between 1 and 100),
  detail     jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index activity_user on public.activity (user_id, created_at desc);

-- AES-256-GCM ciphertexts only ("<keyId>.<iv>.<tag>.<ciphertext>", base64url): the key lives
-- in the web's ENCRYPTION_KEY, never in the database.
create table public.github_tokens (
  user_id                text primary key default (auth.uid())::text,
  access_token_enc       text not null,
  refresh_token_enc      text,
  key_id                 text not null,
  expires_at             timestamptz,
  refresh_expires_at     timestamptz,
  github_login           text,
  updated_at             timestamptz not null default now(),
  constraint github_tokens_ciphertext check (access_token_enc ~ '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$')
);

create table public.user_preferences (
  user_id    text primary key default (auth.uid())::text,
  prefs      jsonb not null default '{}'::jsonb,
  updated_at timestamptz not null default now()
);

-- Workers report themselves (service role); signed-in users may read the list (no secrets).
create table public.workers (
  id           text primary key,
  name         text not null,
  version      text not null,
  outbox_depth bigint not null default 0,
  sync_lag_ms  bigint not null default 0,
  -- The worker's whole sync status with each heartbeat (outbox depth, lag, failures, dead
  -- letters), so /workers shows a worker's sync health even while it is unreachable.
  sync         jsonb not null default '{}'::jsonb,
  last_seen_at timestamptz not null default now()
);

alter table public.workspace_sessions enable row level security;
alter table public.conversations enable row level security;
alter table public.chat_events enable row level security;
alter table public.activity enable row level security;
alter table public.github_tokens enable row level security;
alter table public.user_preferences enable row level security;
alter table public.workers enable row level security;

-- Privileges first (RLS only filters what a role may touch at all): anon gets nothing.
revoke all on public.workspace_sessions, public.conversations, public.chat_events,
  public.activity, public.github_tokens, public.user_preferences, public.workers from anon;
grant select on public.workspace_sessions, public.conversations, public.chat_events,
  public.workers to authenticated;
grant select, insert on public.activity to authenticated;
grant select, insert, update, delete on public.github_tokens, public.user_preferences
  to authenticated;
grant all on public.workspace_sessions, public.conversations, public.chat_events,
  public.activity, public.github_tokens, public.user_preferences, public.workers to service_role;

-- Synced tables: the worker is the only writer, users read their own (live) rows.
create policy "owner reads sessions" on public.workspace_sessions
  for select to authenticated using (user_id = (select auth.uid())::text);
create policy "owner reads conversations" on public.conversations
  for select to authenticated using (user_id = (select auth.uid())::text);
create policy "owner reads chat events" on public.chat_events
  for select to authenticated using (user_id = (select auth.uid())::text);

create policy "owner reads activity" on public.activity
  for select to authenticated using (user_id = (select auth.uid())::text);
create policy "owner writes activity" on public.activity
  for insert to authenticated with check (user_id = (select auth.uid())::text);

create policy "owner reads token" on public.github_tokens
  for select to authenticated using (user_id = (select auth.uid())::text);
create policy "owner inserts token" on public.github_tokens
  for insert to authenticated with check (user_id = (select auth.uid())::text);
create policy "owner updates token" on public.github_tokens
  for update to authenticated using (user_id = (select auth.uid())::text)
  with check (user_id = (select auth.uid())::text);
create policy "owner deletes token" on public.github_tokens
  for delete to authenticated using (user_id = (select auth.uid())::text);

create policy "owner reads preferences" on public.user_preferences
  for select to authenticated using (user_id = (select auth.uid())::text);
create policy "owner inserts preferences" on public.user_preferences
  for insert to authenticated with check (user_id = (select auth.uid())::text);
create policy "owner updates preferences" on public.user_preferences
  for update to authenticated using (user_id = (select auth.uid())::text)
  with check (user_id = (select auth.uid())::text);
create policy "owner deletes preferences" on public.user_preferences
  for delete to authenticated using (user_id = (select auth.uid())::text);

create policy "signed-in users read workers" on public.workers
  for select to authenticated using (true);

-- The sync loop's one write: a batch of outbox entries applied in order, in one transaction,
-- idempotently. Upserts keyed by id win only with a higher version (last write wins, an old
-- or repeated entry is a no-op); chat events are immutable (first write wins); a session
-- delete is a tombstone with its version. PostgREST upserts cannot express "only if newer",
-- hence a function. Callable by the service role only.
create function public.grove_sync_apply(entries jsonb)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  e jsonb;
  p jsonb;
  applied integer := 0;
  n integer;
begin
  -- Some PostgREST implementations hand a JSON argument over as a JSON string: unwrap it.
  if jsonb_typeof(entries) = 'string' then
    entries := (entries #>> '{}')::jsonb;
  end if;
  for e in select value from jsonb_array_elements(entries) loop
    p := e -> 'payload';
    n := 0;
    if e ->> 'entity' = 'session' and e ->> 'op' = 'upsert' then
      insert into public.workspace_sessions as t
        (id, user_id, repo, base_branch, branch_name, name, status, error, pushed_at, data,
         version, created_at, updated_at, deleted_at)
      values (p ->> 'id', p ->> 'userId', p ->> 'repo', p ->> 'baseBranch', p ->> 'branchName',
        p ->> 'name', p ->> 'status', p ->> 'error', (p ->> 'pushedAt')::timestamptz,
        p - 'userId' - 'version', (e ->> 'version')::bigint, (p ->> 'createdAt')::timestamptz,
        (p ->> 'updatedAt')::timestamptz, null)
      on conflict (id) do update set
        user_id = excluded.user_id, repo = excluded.repo, base_branch = excluded.base_branch,
        branch_name = excluded.branch_name, name = excluded.name, status = excluded.status,
        error = excluded.error, pushed_at = excluded.pushed_at, data = excluded.data,
        version = excluded.version, created_at = excluded.created_at,
        updated_at = excluded.updated_at, deleted_at = null
      where t.version < excluded.version;
      get diagnostics n = row_count;
    elsif e ->> 'entity' = 'session' and e ->> 'op' = 'delete' then
      insert into public.workspace_sessions as t
        (id, user_id, repo, base_branch, branch_name, status, data, version, created_at,
         updated_at, deleted_at)
      values (e ->> 'entityId', p ->> 'userId', '', '', '', 'deleted', '{}'::jsonb,
        (e ->> 'version')::bigint, now(), now(), now())
      on conflict (id) do update set
        version = excluded.version, status = 'deleted', deleted_at = excluded.deleted_at,
        updated_at = excluded.updated_at
      where t.version < excluded.version;
      get diagnostics n = row_count;
    elsif e ->> 'entity' = 'conversation' then
      insert into public.conversations as t
        (session_id, user_id, engine, last_event_id, runs, version, updated_at)
      values (p ->> 'sessionId', p ->> 'userId', p ->> 'engine',
        (p ->> 'lastEventId')::bigint, coalesce(p -> 'runs', '[]'::jsonb),
        (e ->> 'version')::bigint, now())
      on conflict (session_id) do update set
        user_id = excluded.user_id, engine = excluded.engine,
        last_event_id = excluded.last_event_id, runs = excluded.runs,
        version = excluded.version, updated_at = excluded.updated_at
      where t.version < excluded.version;
      get diagnostics n = row_count;
    elsif e ->> 'entity' = 'chat_event' then
      insert into public.chat_events
        (session_id, event_id, user_id, run_id, type, data, created_at)
      values (p ->> 'sessionId', (p ->> 'id')::bigint, p ->> 'userId', p ->> 'runId',
        p -> 'event' ->> 'type', p -> 'event', (p ->> 'createdAt')::timestamptz)
      on conflict (session_id, event_id) do nothing;
      get diagnostics n = row_count;
    elsif e ->> 'entity' = 'worker' then
      insert into public.workers as t
        (id, name, version, outbox_depth, sync_lag_ms, sync, last_seen_at)
      values (e ->> 'entityId', p ->> 'name', p ->> 'version',
        coalesce((p ->> 'outboxDepth')::bigint, 0), coalesce((p ->> 'syncLagMs')::bigint, 0),
        coalesce(p -> 'sync', '{}'::jsonb), now())
      on conflict (id) do update set
        name = excluded.name, version = excluded.version, outbox_depth = excluded.outbox_depth,
        sync_lag_ms = excluded.sync_lag_ms, sync = excluded.sync,
        last_seen_at = excluded.last_seen_at;
      get diagnostics n = row_count;
    else
      -- An entity this schema does not know yet: refuse the whole batch rather than drop it.
      raise exception 'grove_sync_apply: unknown entity %', e ->> 'entity'
        using errcode = '22023';
    end if;
    applied := applied + n;
  end loop;
  return applied;
end;
$$;

revoke all on function public.grove_sync_apply(jsonb) from public, anon, authenticated;
grant execute on function public.grove_sync_apply(jsonb) to service_role;

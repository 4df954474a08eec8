-- Workers report their whole sync status with each heartbeat (outbox depth, lag, failures,
-- dead letters), so /workers can show a worker's sync health even while it is unreachable.
-- The apply function is replaced only to store it; every other branch is unchanged.
alter table public.workers add column sync jsonb not null default '{}'::jsonb;

create or replace function public.grove_sync_apply(entries jsonb)
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

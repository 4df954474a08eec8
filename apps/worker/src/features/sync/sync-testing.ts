import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { startProcess, type StartedProcess, type SupabaseStandUp } from '@grove/testkit';

/**
 * Records every row that actually lands in the synced tables (insert, or an update that
 * changed something), in arrival order: "exactly once" and "in order" are read from here.
 * Test databases only.
 */
export async function installArrivalLog(supabase: SupabaseStandUp): Promise<void> {
  await supabase.sql.unsafe(`
    create table public.arrival_log (
      seq bigserial primary key, tbl text not null, key text not null, version bigint, op text not null);
    create function public.log_arrival() returns trigger language plpgsql as $$
    declare r jsonb := to_jsonb(new);
    begin
      insert into public.arrival_log (tbl, key, version, op) values (
        tg_table_name,
        case tg_table_name when 'chat_events' then (r ->> 'session_id') || ':' || (r ->> 'event_id')
          when 'conversations' then r ->> 'session_id' else r ->> 'id' end,
        coalesce((r ->> 'version')::bigint, 1),
        lower(tg_op));
      return new;
    end $$;
    create trigger log_sessions after insert or update on public.workspace_sessions
      for each row execute function public.log_arrival();
    create trigger log_conversations after insert or update on public.conversations
      for each row execute function public.log_arrival();
    create trigger log_events after insert or update on public.chat_events
      for each row execute function public.log_arrival();
  `);
}

const TICKER_WORKER = path.resolve(import.meta.dirname, '../../../bench/ticker-worker.ts');

/** A real worker process (the ticker engine in place of Claude) in Supabase mode. */
export async function startSyncingWorker(
  supabase: SupabaseStandUp,
  dataDir: string,
  secret: string,
  extra: Record<string, string> = {},
): Promise<StartedProcess & { baseUrl: string }> {
  const worker = await startProcess(process.execPath, ['--import', 'tsx', TICKER_WORKER], {
    cwd: path.resolve(import.meta.dirname, '../../..'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GROVE_DATA_DIR: dataDir,
      WORKER_SECRET: secret,
      WORKER_PORT: '0',
      GROVE_ALLOW_LOCAL_REPOS: '1',
      GROVE_CHAT_MESSAGES_PER_HOUR: '100000',
      NEXT_PUBLIC_SUPABASE_URL: supabase.url,
      SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
      TICK_MS: '2',
      TICKS: '20',
      ...extra,
    },
    ready: /"port":(\d+)/,
  });
  return { ...worker, baseUrl: `http://127.0.0.1:${worker.match[1]}` };
}

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

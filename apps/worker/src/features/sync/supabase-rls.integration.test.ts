import { randomUUID } from 'node:crypto';

import { startSupabase, type SupabaseStandUp } from '@grove/testkit';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

/** A signed-up user's client (publishable key + their JWT, as a browser or the web has it). */
async function signUp(supabase: SupabaseStandUp, email: string) {
  const client = createClient(supabase.url, supabase.anonKey, { auth: NO_SESSION });
  const { data, error } = await client.auth.signUp({ email, password: 'a-long-password-123' });
  if (error || !data.user || !data.session) throw new Error(`sign-up failed: ${error?.message}`);
  return { client, id: data.user.id };
}

function sessionEntry(id: string, userId: string, version: number) {
  const now = new Date().toISOString();
  return {
    entity: 'session',
    entityId: id,
    op: 'upsert',
    version,
    payload: {
      id,
      userId,
      repo: 'octo/repo',
      baseBranch: 'main',
      branchName: `session/${id}`,
      name: null,
      status: 'active',
      error: null,
      pushedAt: null,
      createdAt: now,
      updatedAt: now,
      version,
    },
  };
}

describe('Supabase schema on a fresh PostgreSQL', () => {
  let supabase: SupabaseStandUp;
  let service: SupabaseClient;
  let anon: SupabaseClient;
  let alice: { client: SupabaseClient; id: string };
  let bob: { client: SupabaseClient; id: string };
  const aliceSession = `s-${randomUUID()}`;
  const bobSession = `s-${randomUUID()}`;

  beforeAll(async () => {
    supabase = await startSupabase();
    service = createClient(supabase.url, supabase.serviceRoleKey, { auth: NO_SESSION });
    anon = createClient(supabase.url, supabase.anonKey, { auth: NO_SESSION });
    alice = await signUp(supabase, 'alice@example.com');
    bob = await signUp(supabase, 'bob@example.com');
    const { error } = await service.rpc('grove_sync_apply', {
      entries: [sessionEntry(aliceSession, alice.id, 1), sessionEntry(bobSession, bob.id, 1)],
    });
    expect(error).toBeNull();
  });

  afterAll(async () => {
    await supabase?.close();
  });

  it('applies the migrations with row level security on every table', async () => {
    const tables = await supabase.sql<{ relname: string; relrowsecurity: boolean }[]>`
      select c.relname, c.relrowsecurity from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by c.relname`;
    expect(tables.map((t) => t.relname)).toEqual([
      'activity',
      'chat_events',
      'conversations',
      'github_tokens',
      'user_preferences',
      'workers',
      'workspace_sessions',
    ]);
    expect(tables.every((t) => t.relrowsecurity)).toBe(true);
  });

  it('lets the owner read their own synced rows and nobody else’s', async () => {
    const mine = await alice.client.from('workspace_sessions').select('id, user_id');
    expect(mine.error).toBeNull();
    expect(mine.data).toEqual([{ id: aliceSession, user_id: alice.id }]);
    const theirs = await bob.client.from('workspace_sessions').select('id').eq('id', aliceSession);
    expect(theirs.error).toBeNull();
    expect(theirs.data).toEqual([]);
  });

  it('refuses a user writing a row for someone else, and users writing synced tables', async () => {
    const forged = await bob.client
      .from('github_tokens')
      .insert({ user_id: alice.id, access_token_enc: 'k.a.b.c', key_id: 'k' });
    expect(forged.error?.code).toBe('42501');
    const own = await bob.client
      .from('github_tokens')
      .insert({ user_id: bob.id, access_token_enc: 'k.a.b.c', key_id: 'k' });
    expect(own.error).toBeNull();
    const synced = await alice.client
      .from('workspace_sessions')
      .update({ status: 'failed' })
      .eq('id', aliceSession)
      .select();
    // No UPDATE privilege: refused outright (or, at the least, nothing changed).
    expect(synced.data ?? []).toEqual([]);
    const sync = await alice.client.rpc('grove_sync_apply', {
      entries: [sessionEntry(bobSession, alice.id, 99)],
    });
    expect(sync.error).not.toBeNull();
    const rows = await supabase.sql<
      { id: string; user_id: string; version: string; status: string }[]
    >`
      select id, user_id, version, status from public.workspace_sessions order by id`;
    expect(rows).toContainEqual({
      id: bobSession,
      user_id: bob.id,
      version: '1',
      status: 'active',
    });
    expect(rows).toContainEqual({
      id: aliceSession,
      user_id: alice.id,
      version: '1',
      status: 'active',
    });
  });

  it('keeps preferences and tokens private to their owner', async () => {
    const saved = await alice.client
      .from('user_preferences')
      .upsert({ user_id: alice.id, prefs: { theme: 'dark' } });
    expect(saved.error).toBeNull();
    const peek = await bob.client.from('user_preferences').select('prefs');
    expect(peek.data).toEqual([]);
    const overwrite = await bob.client
      .from('user_preferences')
      .update({ prefs: { theme: 'light' } })
      .eq('user_id', alice.id)
      .select();
    expect(overwrite.data).toEqual([]);
    const tokens = await alice.client.from('github_tokens').select('user_id');
    expect(tokens.data).toEqual([]);
  });

  it('grants users exactly what they need: no writes to the synced tables, no truncate', async () => {
    const privileges = await supabase.sql<{ table: string; privilege: string }[]>`
      select table_name as table, privilege_type as privilege
      from information_schema.role_table_grants
      where grantee = 'authenticated' and table_schema = 'public'
      order by table_name, privilege_type`;
    const byTable = new Map<string, string[]>();
    for (const { table, privilege } of privileges)
      byTable.set(table, [...(byTable.get(table) ?? []), privilege]);
    expect(Object.fromEntries(byTable)).toEqual({
      activity: ['INSERT', 'SELECT'],
      chat_events: ['SELECT'],
      conversations: ['SELECT'],
      github_tokens: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
      user_preferences: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
      workers: ['SELECT'],
      workspace_sessions: ['SELECT'],
    });
    // So another user's session is refused outright, not just filtered to nothing.
    const { error } = await bob.client
      .from('workspace_sessions')
      .update({ status: 'failed' })
      .eq('id', aliceSession);
    expect(error?.code).toBe('42501');
  });

  it('gives anon nothing', async () => {
    for (const table of ['workspace_sessions', 'github_tokens', 'user_preferences', 'activity']) {
      const read = await anon.from(table).select('*');
      // No privilege at all: PostgREST answers permission denied (or, at best, nothing).
      expect(read.data ?? []).toEqual([]);
    }
    const write = await anon.from('activity').insert({ user_id: alice.id, kind: 'x' });
    expect(write.error).not.toBeNull();
  });

  it('lets the service role (the worker) read and write everything', async () => {
    const all = await service
      .from('workspace_sessions')
      .select('id')
      .order('id')
      .returns<{ id: string }[]>();
    expect(all.data?.map((r) => r.id).sort()).toEqual([aliceSession, bobSession].sort());
    const activity = await alice.client.from('activity').insert({ kind: 'session.open' });
    expect(activity.error).toBeNull();
    const seen = await service.from('activity').select('user_id, kind');
    expect(seen.data).toEqual([{ user_id: alice.id, kind: 'session.open' }]);
  });
});

import { type SupabaseStandUp } from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  browse,
  sameOrigin,
  signInWithGitHub,
  waitFor,
  type CookieJar,
} from '@/testing/browser-session';
import { type Stack } from '@/testing/stack';
import { startSupabaseStack, type SupabaseStack } from '@/testing/supabase-stack';

interface Prefs {
  theme: string;
  defaultBaseBranch: string | null;
  terminalFontSize: number;
}

/**
 * Issue 7's persistence matrix on the web side, on real processes: preferences and activity
 * written by the web to Supabase only (as the signed-in user), chat history and the worker's
 * heartbeat read from Supabase, with the worker as the fallback (and the other way round).
 */
describe('Supabase mode: what the web writes to and reads from Supabase', () => {
  let supabase: SupabaseStandUp;
  let stack: Stack;
  let jar: CookieJar;
  let env: SupabaseStack | undefined;

  beforeAll(async () => {
    env = await startSupabaseStack({
      env: {
        GROVE_SYNC_POLL_MS: '20',
        GROVE_WORKER_HEARTBEAT_MS: '300',
        WORKER_NAME: 'persist-worker',
      },
    });
    ({ supabase, stack } = env);
    jar = await signInWithGitHub(stack.webUrl);
  });

  afterAll(async () => {
    await env?.stop();
  });

  const call = (p: string, init: RequestInit = {}) =>
    browse(stack.webUrl, jar, `${stack.webUrl}${p}`, init);
  const send = (p: string, method: string, body?: unknown) =>
    call(p, {
      method,
      headers: sameOrigin(stack.webUrl, body !== undefined),
      body: body === undefined ? null : JSON.stringify(body),
    });

  it('keeps preferences in Supabase only, validated, and shows them on /settings', async () => {
    const initial = await call('/api/user/preferences');
    expect(initial.status).toBe(200);
    expect(((await initial.json()) as { preferences: Prefs }).preferences).toEqual({
      theme: 'system',
      defaultBaseBranch: null,
      terminalFontSize: 13,
    });

    const saved = await send('/api/user/preferences', 'PUT', {
      theme: 'dark',
      terminalFontSize: 16,
    });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { preferences: Prefs }).preferences).toEqual({
      theme: 'dark',
      defaultBaseBranch: null,
      terminalFontSize: 16,
    });
    // A partial update keeps the rest.
    await send('/api/user/preferences', 'PUT', { defaultBaseBranch: 'develop' });

    for (const bad of [{ terminalFontSize: 99 }, { theme: 'neon' }, { surprise: true }]) {
      const refused = await send('/api/user/preferences', 'PUT', bad);
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'validation_failed',
      );
    }

    const rows = await supabase.sql<{ prefs: Prefs }[]>`select prefs from public.user_preferences`;
    expect(rows).toEqual([
      { prefs: { theme: 'dark', defaultBaseBranch: 'develop', terminalFontSize: 16 } },
    ]);
    const page = await (await call('/settings')).text();
    expect(page).toContain('Preferences');
    expect(page).toContain('value="develop"');
  });

  it('records activity as the user, and a refused record never fails the request', async () => {
    const created = await send('/api/workspace/session/create', 'POST', { repo: 'octo/hello' });
    expect(created.status).toBe(201);
    const { session } = (await created.json()) as { session: { id: string } };
    const [owner] = await supabase.sql<{ id: string }[]>`select id::text from auth.users`;

    const activity = await waitFor(async () => {
      const rows = await supabase.sql<{ user_id: string; kind: string; detail: unknown }[]>`
        select user_id, kind, detail from public.activity order by created_at`;
      return rows.length > 0 ? rows : undefined;
    });
    expect(activity).toEqual([
      {
        user_id: owner!.id,
        kind: 'session.created',
        detail: { sessionId: session.id, repo: 'octo/hello' },
      },
    ]);
    // …and shows it back to the user on /settings, read as them.
    const settings = await (await call('/settings')).text();
    expect(settings).toContain('Recent activity');
    expect(settings).toContain('<strong>session.created</strong>');
    expect(settings).toContain(`octo/hello · ${session.id}`);

    // Supabase refuses the insert (as when it is down or misconfigured): the user's delete
    // still succeeds; the lost record is only logged.
    await supabase.sql`revoke insert on public.activity from authenticated`;
    try {
      const other = await send('/api/workspace/session/create', 'POST', { repo: 'octo/hello' });
      const { session: second } = (await other.json()) as { session: { id: string } };
      const deleted = await send(`/api/workspace/session/${second.id}`, 'DELETE');
      expect(deleted.status).toBe(204);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const kinds = await supabase.sql<{ kind: string }[]>`select kind from public.activity`;
      expect(kinds.map((k) => k.kind)).toEqual(['session.created']);
      expect(stack.web.output.join('\n')).toMatch(/activity not recorded/);
    } finally {
      await supabase.sql`grant insert on public.activity to authenticated`;
    }

    // The session is synced; a chat run only Supabase holds (as after a worker lost its data)
    // reads back merged with the worker's (empty) history.
    await waitFor(async () => {
      const [row] = await supabase.sql<{ status: string }[]>`
        select status from public.workspace_sessions where id = ${session.id}`;
      return row?.status === 'active' ? true : undefined;
    });
    await supabase.sql`
      insert into public.conversations (session_id, user_id, engine, last_event_id, runs, version)
      values (${session.id}, ${owner!.id}, 'claude', 2, ${supabase.sql.json([
        {
          id: 'run-1',
          prompt: 'hello',
          status: 'completed',
          startedAt: '2026-01-01T00:00:00.000Z',
          endedAt: '2026-01-01T00:00:05.000Z',
        },
      ])}, 1)`;
    await supabase.sql`
      insert into public.chat_events (session_id, event_id, user_id, run_id, type, data, created_at)
      values
        (${session.id}, 1, ${owner!.id}, 'run-1', 'text', ${supabase.sql.json({ type: 'text', text: 'Hi ' })}, now()),
        (${session.id}, 2, ${owner!.id}, 'run-1', 'text', ${supabase.sql.json({ type: 'text', text: 'there' })}, now())`;
    const merged = await call(`/api/workspace/session/${session.id}/messages`);
    expect(merged.status).toBe(200);
    expect(merged.headers.get('x-grove-messages-source')).toBe('supabase+worker');
    const { messages } = (await merged.json()) as {
      messages: { role: string; content: string }[];
    };
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'hello'],
      ['assistant', 'Hi there'],
    ]);

    // The worker's heartbeat row, then the worker goes away: history, the session list and
    // the worker's last-known state still come from Supabase.
    const online = (await (await call('/api/workers/status')).json()) as {
      workers: { status: string; lastSeenAt: string | null }[];
    };
    expect(online.workers[0]).toMatchObject({ status: 'online' });
    expect(online.workers[0]!.lastSeenAt).toEqual(expect.any(String));
    await stack.worker.stop();
    const fallback = await call(`/api/workspace/session/${session.id}/messages`);
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get('x-grove-messages-source')).toBe('supabase');
    expect(((await fallback.json()) as { messages: unknown[] }).messages).toHaveLength(2);
    const unknown = await call('/api/workspace/session/abcdefghij0123/messages');
    expect(unknown.status).toBeGreaterThanOrEqual(500);
    const offline = (await (await call('/api/workers/status')).json()) as {
      workers: { status: string; version: string | null; sync: { enabled: boolean } | null }[];
    };
    expect(offline.workers[0]).toMatchObject({
      status: 'offline',
      version: expect.any(String),
      sync: { enabled: true },
    });
  });
});

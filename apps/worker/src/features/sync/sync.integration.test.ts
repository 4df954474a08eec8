import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  createSourceRepo,
  makeTempDir,
  readSse,
  startSupabase,
  untilDone,
  workerFetcher,
  type SupabaseStandUp,
} from '@grove/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { appendOutbox } from '../../db/outbox';
import { startTestWorker, TEST_SECRET } from '../../testing/harness';
import { installArrivalLog, startSyncingWorker, waitFor } from './sync-testing';

type Fetcher = ReturnType<typeof workerFetcher>;

interface Arrival {
  tbl: string;
  key: string;
  version: string;
  op: string;
}

describe('outbox sync to Supabase (@supabase/lite on PostgreSQL)', () => {
  let supabase: SupabaseStandUp;
  const temp = makeTempDir('grove-sync-');

  beforeAll(async () => {
    supabase = await startSupabase();
    await installArrivalLog(supabase);
  });
  afterAll(async () => {
    await supabase?.close();
    temp.cleanup();
  });
  beforeEach(async () => {
    await supabase.sql`truncate public.arrival_log, public.workspace_sessions, public.conversations, public.chat_events`;
  });

  const arrivals = () =>
    supabase.sql<
      Arrival[]
    >`select tbl, key, version::text, op from public.arrival_log order by seq`;

  it('applies entries once, in order, and lets the highest version win', async () => {
    const worker = await startTestWorker({
      NEXT_PUBLIC_SUPABASE_URL: supabase.url,
      SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
      GROVE_SYNC_POLL_MS: '20',
    });
    try {
      const user = randomUUID();
      const id = `s-${randomUUID()}`;
      const session = (version: number, status: string) => ({
        entity: 'session',
        entityId: id,
        op: 'upsert' as const,
        version,
        payload: {
          id,
          userId: user,
          repo: 'octo/repo',
          baseBranch: 'main',
          branchName: `session/${id}`,
          status,
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: new Date().toISOString(),
          version,
        },
      });
      const db = worker.worker.db;
      db.transaction(() => {
        appendOutbox(db, session(1, 'creating'));
        appendOutbox(db, session(3, 'connected'));
        appendOutbox(db, session(2, 'active')); // older than what is there: must not win
        for (let n = 1; n <= 50; n += 1) {
          appendOutbox(db, {
            entity: 'chat_event',
            entityId: `${id}:${n}`,
            op: 'upsert',
            version: 1,
            payload: {
              sessionId: id,
              userId: user,
              id: n,
              runId: 'r1',
              event: { type: 'text', text: `t${n}` },
              createdAt: new Date().toISOString(),
            },
          });
        }
      })();
      await waitFor(() => worker.worker.sync.status().outboxDepth === 0, 20_000, 'drain');

      const [row] = await supabase.sql<{ status: string; version: string }[]>`
        select status, version::text from public.workspace_sessions where id = ${id}`;
      expect(row).toEqual({ status: 'connected', version: '3' });
      const log = await arrivals();
      expect(log.filter((a) => a.tbl === 'workspace_sessions').map((a) => a.version)).toEqual([
        '1',
        '3',
      ]);
      const events = log.filter((a) => a.tbl === 'chat_events').map((a) => a.key);
      expect(events).toEqual(Array.from({ length: 50 }, (_, i) => `${id}:${i + 1}`));

      // A crash between "Supabase took it" and "marked sent" resends: nothing changes.
      db.prepare('UPDATE outbox SET sent_at = NULL').run();
      appendOutbox(db, { ...session(4, 'deleting'), op: 'delete', payload: { id, userId: user } });
      await waitFor(() => worker.worker.sync.status().outboxDepth === 0, 20_000, 're-drain');
      const again = await arrivals();
      expect(again.length).toBe(log.length + 1);
      expect(again.at(-1)).toMatchObject({ tbl: 'workspace_sessions', version: '4' });
      const [gone] = await supabase.sql<{ deleted: boolean }[]>`
        select deleted_at is not null as deleted from public.workspace_sessions where id = ${id}`;
      expect(gone).toEqual({ deleted: true });

      const metrics = await (await fetch(`${worker.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/grove_worker_outbox_depth 0/);
      expect(metrics).toMatch(/grove_worker_synced_entries_total \d+/);
    } finally {
      await worker.close();
      worker.cleanup();
    }
  });

  /** Chat runs back to back on each session until `stop()`; counts answers by status. */
  function chatTraffic(api: Fetcher, sessionIds: string[]) {
    let running = true;
    const statuses: number[] = [];
    const loops = sessionIds.map(async (sessionId) => {
      while (running) {
        const response = await api('/chat', { json: { sessionId, message: 'go' } });
        statuses.push(response.status);
        if (response.ok) await readSse(response, { until: untilDone });
        else await response.body?.cancel();
      }
    });
    return {
      statuses,
      stop: async () => {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  async function createSessions(api: Fetcher, repo: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const response = await api('/sessions', { json: { repo } });
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { session: { id: string } }).session.id);
    }
    return ids;
  }

  /** SQLite (what the worker wrote) against Postgres (what arrived), entry by entry. */
  async function expectConverged(dataDir: string): Promise<void> {
    const local = new Database(path.join(dataDir, 'grove.db'), { readonly: true });
    try {
      const events = local
        .prepare<[], { key: string }>(
          "SELECT session_id || ':' || id AS key FROM chat_events ORDER BY session_id, id",
        )
        .all()
        .map((r) => r.key);
      const sessions = local
        .prepare<[], { id: string; version: number }>('SELECT id, version FROM sessions')
        .all();
      const remoteEvents = await supabase.sql<{ key: string }[]>`
        select session_id || ':' || event_id as key from public.chat_events`;
      expect(remoteEvents.map((r) => r.key).sort()).toEqual([...events].sort());
      const log = await arrivals();
      const eventArrivals = log.filter((a) => a.tbl === 'chat_events').map((a) => a.key);
      // Exactly once: every event inserted one time, none twice.
      expect(eventArrivals.length).toBe(events.length);
      expect(new Set(eventArrivals).size).toBe(events.length);
      for (const s of sessions) {
        const [remote] = await supabase.sql<{ version: string }[]>`
          select version::text from public.workspace_sessions where id = ${s.id}`;
        expect(remote?.version).toBe(String(s.version));
        const versions = log
          .filter((a) => a.tbl === 'workspace_sessions' && a.key === s.id)
          .map((a) => Number(a.version));
        expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
      }
    } finally {
      local.close();
    }
  }

  it('moves an entry Supabase refuses for good aside, keeps draining, and reports itself', async () => {
    const worker = await startTestWorker({
      NEXT_PUBLIC_SUPABASE_URL: supabase.url,
      SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
      GROVE_SYNC_POLL_MS: '20',
      GROVE_SYNC_DEAD_LETTER_AFTER: '2',
      GROVE_WORKER_HEARTBEAT_MS: '200',
      WORKER_NAME: 'dead-letter-worker',
    });
    try {
      const user = randomUUID();
      const session = (id: string, createdAt: string) => ({
        entity: 'session',
        entityId: id,
        op: 'upsert' as const,
        version: 1,
        payload: {
          id,
          userId: user,
          repo: 'octo/repo',
          baseBranch: 'main',
          branchName: `session/${id}`,
          status: 'active',
          createdAt,
          updatedAt: new Date().toISOString(),
        },
      });
      const db = worker.worker.db;
      db.transaction(() => {
        appendOutbox(db, session('good-before', '2026-01-01T00:00:00.000Z'));
        // Not a timestamp: PostgreSQL refuses it (22007) however often it is sent.
        appendOutbox(db, session('poison', 'not-a-date'));
        for (let n = 1; n <= 5; n += 1)
          appendOutbox(db, session(`good-after-${n}`, '2026-01-01T00:00:00.000Z'));
      })();
      await waitFor(() => worker.worker.sync.status().outboxDepth === 0, 20_000, 'drain');

      const rows = await supabase.sql<{ id: string }[]>`
        select id from public.workspace_sessions where user_id = ${user} order by id`;
      expect(rows.map((r) => r.id)).toEqual([
        'good-after-1',
        'good-after-2',
        'good-after-3',
        'good-after-4',
        'good-after-5',
        'good-before',
      ]);
      const [dead] = db
        .prepare<[], { entity_id: string; attempts: number; last_error: string }>(
          'SELECT entity_id, attempts, last_error FROM outbox WHERE dead_lettered_at IS NOT NULL',
        )
        .all();
      expect(dead).toMatchObject({ entity_id: 'poison', attempts: 2 });
      expect(dead!.last_error).toMatch(/supabase: 4\d\d/);

      const version = (await (await fetch(`${worker.baseUrl}/version`)).json()) as {
        version: string;
        sync: { deadLetters: number; outboxDepth: number };
      };
      expect(version.sync).toMatchObject({ deadLetters: 1, outboxDepth: 0 });
      const metrics = await (await fetch(`${worker.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/^grove_worker_outbox_dead_letters 1$/m);

      // The worker's own row, with its sync status, through the same service-role path.
      let row: { version: string; sync: { deadLetters?: number } } | undefined;
      await waitFor(
        async () => {
          [row] = await supabase.sql<{ version: string; sync: { deadLetters?: number } }[]>`
            select version, sync from public.workers where id = 'dead-letter-worker'
            and last_seen_at > now() - interval '5 seconds'`;
          return row?.sync.deadLetters === 1;
        },
        10_000,
        'heartbeat',
      );
      expect(row!.version).toBe(version.version);
    } finally {
      await worker.close();
      worker.cleanup();
    }
  });

  it('keeps answering while PostgreSQL is down, then drains every entry exactly once', async () => {
    const dataDir = path.join(temp.dir, 'outage');
    const repo = createSourceRepo(path.join(temp.dir, 'outage-origin'));
    const worker = await startSyncingWorker(supabase, dataDir, TEST_SECRET, {
      GROVE_SYNC_POLL_MS: '20',
      // A stopped database may leave a request hanging rather than failing: time it out fast.
      GROVE_SYNC_TIMEOUT_MS: '1000',
    });
    try {
      const api = workerFetcher({
        baseUrl: worker.baseUrl,
        secret: TEST_SECRET,
        userId: randomUUID(),
      });
      const ids = await createSessions(api, repo, 3);
      const traffic = chatTraffic(api, ids);
      await sleep(1_000);
      await supabase.stopDatabase();
      const answeredBefore = traffic.statuses.length;
      await sleep(3_000);
      // The worker kept serving chat (SQLite first) while Supabase was unreachable...
      expect(traffic.statuses.length).toBeGreaterThan(answeredBefore + 10);
      const during = (await (await fetch(`${worker.baseUrl}/version`)).json()) as {
        sync: { outboxDepth: number; consecutiveFailures: number; lagMs: number };
      };
      expect(during.sync.outboxDepth).toBeGreaterThan(0);
      expect(during.sync.consecutiveFailures).toBeGreaterThan(0);
      expect(during.sync.lagMs).toBeGreaterThan(500);
      const health = await fetch(`${worker.baseUrl}/health`);
      expect(health.status).toBe(200);
      await supabase.startDatabase();
      await sleep(1_000);
      await traffic.stop();
      expect(traffic.statuses.every((s) => s === 200)).toBe(true);
      await waitFor(
        async () => {
          const v = (await (await fetch(`${worker.baseUrl}/version`)).json()) as {
            sync: { outboxDepth: number };
          };
          return v.sync.outboxDepth === 0;
        },
        60_000,
        'outbox drained after the outage',
      );
      const metrics = await (await fetch(`${worker.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/grove_worker_sync_failures_total [1-9]/);
    } finally {
      await worker.stop('SIGTERM');
    }
    await expectConverged(dataDir);
  });

  it('converges without duplicates after a SIGKILL in the middle of a drain', async () => {
    const dataDir = path.join(temp.dir, 'kill');
    const repo = createSourceRepo(path.join(temp.dir, 'kill-origin'));
    // Build a backlog while Supabase is down, so there is a long drain to interrupt.
    await supabase.stopDatabase();
    const env = {
      GROVE_SYNC_POLL_MS: '20',
      GROVE_SYNC_BATCH_SIZE: '25',
      GROVE_SYNC_TIMEOUT_MS: '1000',
    };
    let worker = await startSyncingWorker(supabase, dataDir, TEST_SECRET, env);
    let killedMidDrain: boolean | undefined;
    try {
      const api = workerFetcher({
        baseUrl: worker.baseUrl,
        secret: TEST_SECRET,
        userId: randomUUID(),
      });
      const ids = await createSessions(api, repo, 3);
      const traffic = chatTraffic(api, ids);
      await sleep(2_000);
      await traffic.stop();
      await supabase.startDatabase();
      await waitFor(
        async () => (await supabase.sql`select 1 from public.chat_events limit 1`).length > 0,
        60_000,
        'the drain to start',
      );
      const local = new Database(path.join(dataDir, 'grove.db'), { readonly: true });
      const pending = local
        .prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL')
        .get()!.n;
      local.close();
      killedMidDrain = pending > 0;
      await worker.stop('SIGKILL');
      worker = await startSyncingWorker(supabase, dataDir, TEST_SECRET, env);
      await waitFor(
        async () => {
          const v = (await (await fetch(`${worker.baseUrl}/version`)).json()) as {
            sync: { outboxDepth: number };
          };
          return v.sync.outboxDepth === 0;
        },
        60_000,
        'outbox drained after the restart',
      );
    } finally {
      await worker.stop('SIGTERM');
    }
    expect(killedMidDrain).toBe(true);
    await expectConverged(dataDir);
  });
});

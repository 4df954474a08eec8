/**
 * Outbox → Supabase through the real sync path (SyncStore → SyncLoop → supabase-js →
 * @supabase/lite → PostgreSQL, grove_sync_apply): drain a 10,000-entry backlog (goal ≥ 5,000
 * rows/s), then the steady-state lag (write → in PostgreSQL) under chat-like traffic (goal p99
 * < 1 s).
 *
 *   pnpm --filter @grove/worker bench      (needs PostgreSQL server binaries, see SETUP)
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { makeTempDir, startSupabase } from '@grove/testkit';
import { pino } from 'pino';

import { openDatabase, type Db } from '../src/db/database';
import { appendOutbox } from '../src/db/outbox';
import { createSupabaseSink } from '../src/features/sync/supabase-sink';
import { SyncLoop } from '../src/features/sync/sync-loop';
import { SyncStore } from '../src/features/sync/sync-store';

const BACKLOG = Number(process.env.BENCH_SYNC_ROWS ?? 10_000);
const TRAFFIC_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 10);
/** Concurrent agent runs, each streaming this many events per second (a busy worker). */
const RUNS = 20;
const EVENTS_PER_RUN_PER_SECOND = 25;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (n: number) => +n.toFixed(2);

/** One chat event as the chat store writes it (a text delta of a typical size). */
function writeEvent(db: Db, user: string, sessionId: string, id: number): void {
  appendOutbox(db, {
    entity: 'chat_event',
    entityId: `${sessionId}:${id}`,
    op: 'upsert',
    version: 1,
    payload: {
      sessionId,
      userId: user,
      id,
      runId: `run-${sessionId}`,
      event: {
        type: 'text',
        text: 'The agent is writing a reply, one chunk at a time. '.repeat(2),
      },
      createdAt: new Date().toISOString(),
    },
  });
}

async function main(): Promise<void> {
  const temp = makeTempDir('grove-sync-bench-');
  const supabase = await startSupabase();
  const logger = pino({ level: 'silent' });
  try {
    const user = randomUUID();

    // 1. Drain a backlog.
    const db = openDatabase(path.join(temp.dir, 'drain'));
    db.transaction(() => {
      for (let i = 0; i < BACKLOG; i += 1)
        writeEvent(db, user, `s-${i % 50}`, Math.floor(i / 50) + 1);
    })();
    const store = new SyncStore(db);
    const drain = new SyncLoop({
      store,
      sink: createSupabaseSink(supabase.url, supabase.serviceRoleKey),
      logger,
    });
    const started = performance.now();
    while ((await drain.drainOnce()) > 0);
    const seconds = (performance.now() - started) / 1000;
    const [row] = await supabase.sql<{ count: string }[]>`
      select count(*)::text as count from public.chat_events`;
    const count = Number(row?.count ?? 0);
    if (count !== BACKLOG) throw new Error(`expected ${BACKLOG} rows, found ${count}`);
    const rowsPerSecond = BACKLOG / seconds;
    db.close();

    // 2. Steady state: the loop as the worker runs it, under chat-like traffic.
    const live = openDatabase(path.join(temp.dir, 'live'));
    const lags: number[] = [];
    const loop = new SyncLoop({
      store: new SyncStore(live),
      sink: createSupabaseSink(supabase.url, supabase.serviceRoleKey),
      logger,
      onSynced: (batch) => lags.push(...batch),
    });
    loop.start();
    const perTick = (RUNS * EVENTS_PER_RUN_PER_SECOND) / 50; // 20 ms ticks
    const until = Date.now() + TRAFFIC_SECONDS * 1000;
    let written = 0;
    const next = new Map<string, number>();
    while (Date.now() < until) {
      live.transaction(() => {
        for (let i = 0; i < perTick; i += 1) {
          const sessionId = `live-${(written + i) % RUNS}`;
          const id = (next.get(sessionId) ?? 0) + 1;
          next.set(sessionId, id);
          writeEvent(live, user, sessionId, id);
        }
      })();
      written += perTick;
      await sleep(20);
    }
    while (loop.status().outboxDepth > 0) await sleep(20);
    await loop.stop();
    live.close();

    const result = {
      benchmark: 'sync',
      drain: {
        rows: BACKLOG,
        seconds: round(seconds),
        rowsPerSecond: Math.round(rowsPerSecond),
        goalRowsPerSecond: 5000,
      },
      steadyState: {
        seconds: TRAFFIC_SECONDS,
        eventsPerSecond: RUNS * EVENTS_PER_RUN_PER_SECOND,
        entries: lags.length,
        lagP50Ms: round(percentile(lags, 50)),
        lagP99Ms: round(percentile(lags, 99)),
        lagMaxMs: round(Math.max(...lags)),
        goalP99Ms: 1000,
      },
      path: 'SQLite outbox → SyncLoop → supabase-js rpc(grove_sync_apply) → @supabase/lite → PostgreSQL 15',
      timestamp: new Date().toISOString(),
    };
    const out = path.join(import.meta.dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'sync.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await supabase.close();
    temp.cleanup();
  }
}

await main();

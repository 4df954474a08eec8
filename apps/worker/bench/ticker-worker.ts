/**
 * A worker whose agent engine is a stand-in that emits a text event every TICK_MS (the text
 * carries its emit time, so the client can measure per-event delay). Benchmark use only.
 *
 *   node --import tsx bench/ticker-worker.ts     (env: the worker's, plus TICK_MS, TICKS)
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { pino } from 'pino';

import { createApp } from '../src/app';
import { loadConfig } from '../src/env';
import type { ChatEngine, EngineOutput } from '../src/features/chat/engine';

const TICK_MS = Number(process.env.TICK_MS ?? 5);
const TICKS = Number(process.env.TICKS ?? 200);

export const tickerEngine: ChatEngine = {
  name: 'ticker',
  async *run(input): AsyncGenerator<EngineOutput> {
    // "tick <n>": a run of n events (the benchmark's short runs); otherwise TICKS.
    const ticks = Number(/^tick (\d+)$/.exec(input.prompt)?.[1] ?? TICKS);
    for (let i = 0; i < ticks && !input.signal.aborted; i++) {
      await sleep(TICK_MS);
      yield {
        type: 'text',
        // CLOCK_MONOTONIC, the clock the benchmark reads too (shared by all processes).
        text: JSON.stringify({ i, t: Number(process.hrtime.bigint()) / 1e6 }),
      };
    }
    yield { type: 'usage', inputTokens: 0, outputTokens: 0, costUsd: 0 };
  },
};

const worker = await createApp({
  config: loadConfig(process.env),
  logger: pino({ level: 'silent' }),
  chatEngine: tickerEngine,
});
worker.server.listen(0, '127.0.0.1', () => {
  const { port } = worker.server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port, msg: 'worker listening' })}\n`);
});
process.on('SIGTERM', () => {
  worker.server.closeAllConnections();
  worker.server.close();
  void worker.dispose(2_000).then(() => process.exit(0));
});

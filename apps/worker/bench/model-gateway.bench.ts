/**
 * The model gateway's cost (features/chat/model-gateway.ts): a model API stand-in streams an
 * SSE event every 5 ms, read straight and through the gateway, interleaved in one run, each in
 * its own process as in use (the engine, the worker's gateway, the API). Reports the time to
 * the answer's first bytes and each event's emit → arrival delay. Goal: nothing batched (the
 * gateway adds well under a millisecond per event at p99).
 *
 *   node --import tsx bench/model-gateway.bench.ts
 *   (the same file runs the stand-in and the gateway: `… model-gateway.bench.ts upstream|gateway`)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { startProcess } from '@grove/testkit';

import { startModelGateway } from '../src/features/chat/model-gateway';
import { percentile, reportResult, round } from './bench-utils';

const TICK_MS = 5;
const EVENTS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const API_KEY = 'sk-ant-bench-key';

/** CLOCK_MONOTONIC in ms: the same clock in every process. */
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** The model API stand-in: checks the key, then streams EVENTS stamped events. */
function serveUpstream(): void {
  const server = createServer((req, res) => {
    if (req.headers['x-api-key'] !== API_KEY) {
      res.writeHead(401).end();
      return;
    }
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let sent = 0;
    const timer = setInterval(() => {
      res.write(`event: tick\ndata: ${JSON.stringify({ i: sent, t: now() })}\n\n`);
      if (++sent === EVENTS) {
        clearInterval(timer);
        res.end();
      }
    }, TICK_MS);
    res.on('close', () => clearInterval(timer));
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(`listening ${(server.address() as AddressInfo).port}`);
  });
}

async function serveGateway(upstream: string): Promise<void> {
  const gateway = await startModelGateway({ apiKey: API_KEY, upstream });
  const { key } = gateway.issue();
  // The gateway unrefs its server (it never keeps a worker alive); this process exists for it.
  setInterval(() => undefined, 60_000);
  console.log(`gateway ${gateway.url} ${key}`);
}

/** One streamed answer: headers time and every event's delay. */
async function measure(url: string, key: string) {
  const started = now();
  const response = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: '{"stream":true}',
  });
  const headers = now() - started;
  const delays: number[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body! as AsyncIterable<Uint8Array>) {
    const arrived = now();
    buffered += decoder.decode(chunk, { stream: true });
    const events = buffered.split('\n\n');
    buffered = events.pop() ?? '';
    for (const event of events) {
      const data = /^data: (.*)$/m.exec(event)?.[1];
      if (data) delays.push(arrived - (JSON.parse(data) as { t: number }).t);
    }
  }
  if (delays.length !== EVENTS) throw new Error(`got ${delays.length} of ${EVENTS} events`);
  return { headers, delays };
}

async function main(): Promise<void> {
  const self = import.meta.filename;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const upstream = await startProcess(process.execPath, ['--import', 'tsx', self, 'upstream'], {
    env,
    ready: /^listening (\d+)$/,
  });
  const upstreamUrl = `http://127.0.0.1:${upstream.match[1]}`;
  const gateway = await startProcess(
    process.execPath,
    ['--import', 'tsx', self, 'gateway', upstreamUrl],
    { env, ready: /^gateway (\S+) (\S+)$/ },
  );
  const [gatewayUrl, runKey] = [gateway.match[1]!, gateway.match[2]!];
  try {
    const direct = { headers: [] as number[], delays: [] as number[] };
    const through = { headers: [] as number[], delays: [] as number[] };
    for (let i = 0; i < 3; i++) await measure(gatewayUrl, runKey); // first requests: not measured
    for (let i = 0; i < ROUNDS; i++) {
      const a = await measure(upstreamUrl, API_KEY);
      direct.headers.push(a.headers);
      direct.delays.push(...a.delays);
      const b = await measure(gatewayUrl, runKey);
      through.headers.push(b.headers);
      through.delays.push(...b.delays);
      await sleep(10);
    }
    const summary = (run: typeof direct) => ({
      // The stand-in's headers leave with its first event, 5 ms in.
      firstByteP50Ms: round(percentile(run.headers, 50), 3),
      eventDelayP50Ms: round(percentile(run.delays, 50), 3),
      eventDelayP99Ms: round(percentile(run.delays, 99), 3),
    });
    reportResult('model-gateway', {
      benchmark: 'model-gateway',
      tickMs: TICK_MS,
      rounds: ROUNDS,
      events: direct.delays.length,
      direct: summary(direct),
      throughGateway: summary(through),
      addedEventDelayP50Ms: round(
        percentile(through.delays, 50) - percentile(direct.delays, 50),
        3,
      ),
      addedEventDelayP99Ms: round(
        percentile(through.delays, 99) - percentile(direct.delays, 99),
        3,
      ),
    });
  } finally {
    await gateway.stop();
    await upstream.stop();
  }
}

const role = process.argv[2];
if (role === 'upstream') serveUpstream();
else if (role === 'gateway') await serveGateway(process.argv[3]!);
else
  await main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });

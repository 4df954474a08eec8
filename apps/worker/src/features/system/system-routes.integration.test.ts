import { versionResponseSchema } from '@grove/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';

describe('worker system routes', () => {
  let tw: TestWorker & { cleanup: () => void };

  beforeAll(async () => {
    tw = await startTestWorker();
  });
  afterAll(async () => {
    await tw.close();
    tw.cleanup();
  });

  it('answers /health and /version without a token, echoing a request id', async () => {
    const health = await fetch(`${tw.baseUrl}/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('x-request-id')).toBe('abc-123');
    const version = versionResponseSchema.parse(
      await (await fetch(`${tw.baseUrl}/version`)).json(),
    );
    expect(version.node).toBe(process.version);
    expect(version.memory.rss).toBeGreaterThan(0);
  });

  it('exposes Prometheus metrics including sessions and request durations', async () => {
    await tw.fetchAs('alice')('/sessions');
    const response = await fetch(`${tw.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(
      /grove_worker_http_request_duration_seconds_count\{method="GET",route="\/sessions",status="200"\} 1/,
    );
    expect(text).toContain('grove_worker_process_resident_memory_bytes');
    expect(text).toContain('grove_worker_terminals{kind="pty"} 0');
  });

  it('answers unknown signed routes with 404 in the error shape', async () => {
    const response = await tw.fetchAs('alice')('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'No such route' },
    });
  });
});

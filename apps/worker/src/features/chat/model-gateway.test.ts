import { createServer } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { startModelGateway, type ModelGateway } from './model-gateway';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('model gateway', () => {
  let gateway: ModelGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('refuses keys it did not issue or has taken back, as the API does', async () => {
    gateway = await startModelGateway({ apiKey: 'real', upstream: 'http://127.0.0.1:9' });
    const ask = (key: string) =>
      fetch(`${gateway!.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key } });
    const unknown = await ask('real');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { type: 'authentication_error' } });
    const run = gateway.issue();
    run.revoke();
    expect((await ask(run.key)).status).toBe(401);
  });

  it('names the configured model API when it cannot be reached', async () => {
    const upstream = `http://127.0.0.1:${await closedPort()}`;
    gateway = await startModelGateway({ apiKey: 'real', upstream });
    const answer = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': gateway.issue().key },
      body: '{}',
    });
    expect(answer.status).toBe(502);
    const { error } = (await answer.json()) as { error: { message: string } };
    expect(error.message).toBe(
      `The model API at ${upstream} (the worker's ANTHROPIC_BASE_URL) could not be reached: ECONNREFUSED`,
    );
  });
});

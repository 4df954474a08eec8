import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';

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

  it('sends the real key to the configured API only, whatever the request target', async () => {
    const heard: { url: string | undefined; key: string | undefined }[] = [];
    const listen = async (path: string) => {
      const server = createHttpServer((req, res) => {
        heard.push({ url: `${path}${req.url}`, key: req.headers['x-api-key'] as string });
        res.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
    };
    const api = await listen('api');
    const elsewhere = await listen('elsewhere');
    try {
      gateway = await startModelGateway({ apiKey: 'real', upstream: `${api.url}/anthropic` });
      const key = gateway.issue().key;
      const { port } = new URL(gateway.url);
      /** One raw request (fetch cannot send an absolute-form target); the status line. */
      const raw = (target: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () =>
            socket.write(
              `GET ${target} HTTP/1.1\r\nhost: x\r\nx-api-key: ${key}\r\nconnection: close\r\n\r\n`,
            ),
          );
          let answer = '';
          socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
          socket.on('end', () => resolve(answer.split('\r\n')[0]!));
          socket.on('error', reject);
        });
      for (const target of [
        `${elsewhere.url}/steal`,
        `/${elsewhere.url}/steal`,
        `//127.0.0.1:${new URL(elsewhere.url).port}/steal`,
        '/../v1/messages',
        '/%2e%2e/v1/messages',
      ])
        expect(await raw(target), target).toBe('HTTP/1.1 400 Bad Request');
      expect(await raw('/v1/messages')).toBe('HTTP/1.1 200 OK');
      expect(heard).toEqual([{ url: 'api/anthropic/v1/messages', key: 'real' }]);
    } finally {
      api.server.close();
      elsewhere.server.close();
    }
  });
});

import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));
vi.mock('@/env', () => ({ env: () => ({}) }));

const { relayWorkerResponse } = await import('./worker-client');

const workerAnswer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('relayWorkerResponse', () => {
  it("turns the worker's refusal of the web's token into a 502, never the browser's 401", async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const relayed = await relayWorkerResponse(
      workerAnswer(401, {
        error: { code: 'unauthorized', message: 'Invalid or expired worker token' },
      }),
      'req-1',
    );
    expect(relayed.status).toBe(502);
    expect(await relayed.json()).toMatchObject({ error: { code: 'worker_unreachable' } });
    expect(relayed.headers.get('x-request-id')).toBe('req-1');
    expect(errors).toHaveBeenCalledOnce();
    // A 401 that is not the contract's shape is no sign-out either.
    expect((await relayWorkerResponse(new Response('nope', { status: 401 }), 'r')).status).toBe(
      502,
    );
    errors.mockRestore();
  });

  it('passes on a 401 that is about the user: GitHub wants them to sign in again', async () => {
    const body = { error: { code: 'github_reauth_required', message: 'Sign in to GitHub again' } };
    const relayed = await relayWorkerResponse(workerAnswer(401, body), 'req-2');
    expect(relayed.status).toBe(401);
    expect(await relayed.json()).toEqual(body);
  });

  it('passes on every other answer as it is', async () => {
    const body = { error: { code: 'not_found', message: 'No such session' } };
    const relayed = await relayWorkerResponse(workerAnswer(404, body), 'req-3');
    expect(relayed.status).toBe(404);
    expect(await relayed.json()).toEqual(body);
  });
});

import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));

const { readBody } = await import('./request-body');

/** A streamed (chunked) body of `chunks` pieces of `size` bytes, counting what was pulled. */
function streamed(chunks: number, size: number, headers: Record<string, string> = {}) {
  const pulled = { count: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.count === chunks) return controller.close();
      pulled.count++;
      controller.enqueue(new Uint8Array(size).fill(120));
    },
  });
  const request = new Request('http://localhost/x', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);
  return { request, pulled };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('readBody', () => {
  it('returns the whole body, one chunk or many', async () => {
    const one = new Request('http://localhost/x', { method: 'POST', body: '{"a":1}' });
    expect((await readBody(one, 100)).toString()).toBe('{"a":1}');
    const { request } = streamed(5, 10);
    expect(await readBody(request, 50)).toEqual(Buffer.alloc(50, 'x'));
  });

  it('refuses a declared Content-Length over the cap without reading the body', async () => {
    const { request, pulled } = streamed(1000, 1000, { 'content-length': '1000000' });
    const error = await refusal(readBody(request, 1000));
    expect(error).toMatchObject({ code: 'payload_too_large' });
    expect(pulled.count).toBeLessThanOrEqual(1); // a stream may pre-fill one chunk; never read
  });

  it('stops reading a chunked body as soon as it passes the cap', async () => {
    const { request, pulled } = streamed(1000, 1000);
    const error = await refusal(readBody(request, 4500));
    expect(error).toMatchObject({ code: 'payload_too_large' });
    expect(pulled.count).toBeLessThanOrEqual(6);
  });

  it('gives an empty buffer for no body', async () => {
    expect((await readBody(new Request('http://localhost/x'), 10)).length).toBe(0);
  });
});

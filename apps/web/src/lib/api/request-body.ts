import 'server-only';

import { AppError } from '@grove/contract';

/** The sign-in forms' bodies (a token, a page to return to): far below this. */
export const MAX_FORM_BYTES = 8 * 1024;

/**
 * The request body, refused with 413 once it passes `maxBytes`: up front when Content-Length
 * says so, otherwise as soon as the chunks read so far do (a chunked body declares nothing).
 * Nothing larger is ever held in memory.
 */
export async function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new AppError('payload_too_large', `Request body is larger than ${maxBytes} bytes`);
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length !== 1) return Buffer.concat(chunks);
  const only = chunks[0]!;
  return Buffer.from(only.buffer, only.byteOffset, only.byteLength);
}

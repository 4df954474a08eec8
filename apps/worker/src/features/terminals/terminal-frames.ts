import { clientFrameSchema, TERMINAL_MAX_FRAME_BYTES } from '@grove/contract';
import type { RawData, WebSocket } from 'ws';

import { send, type Terminal } from './terminal';

/**
 * One frame from a terminal's client: size, then JSON text, then the contract's schema are
 * checked (each refusal an `error` frame on the socket), and a valid frame goes to the terminal.
 */
export function handleClientFrame(
  ws: WebSocket,
  terminal: Terminal,
  attached: ReturnType<Terminal['attach']>,
  data: RawData,
  isBinary: boolean,
): void {
  const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
  if (size > TERMINAL_MAX_FRAME_BYTES) {
    return send(ws, {
      type: 'error',
      code: 'frame_too_large',
      message: `Frames are limited to ${TERMINAL_MAX_FRAME_BYTES} bytes`,
    });
  }
  if (isBinary)
    return send(ws, { type: 'error', code: 'invalid_frame', message: 'Frames are JSON text' });
  let json: unknown;
  try {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data).toString('utf8');
    json = JSON.parse(text);
  } catch {
    return send(ws, { type: 'error', code: 'invalid_json', message: 'Frame is not JSON' });
  }
  const parsed = clientFrameSchema.safeParse(json);
  if (!parsed.success) {
    return send(ws, {
      type: 'error',
      code: 'invalid_frame',
      message: parsed.error.issues[0]?.message ?? 'Invalid frame',
    });
  }
  const frame = parsed.data;
  switch (frame.type) {
    case 'input':
      terminal.write(frame.data);
      break;
    case 'resize':
      terminal.resize(frame.cols, frame.rows);
      break;
    case 'ack':
      terminal.acknowledge(attached, frame.seq);
      break;
    case 'ping':
      send(ws, { type: 'pong' });
      break;
  }
}

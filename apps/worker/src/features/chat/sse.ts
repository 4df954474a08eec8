import { SSE_HEADERS } from '@grove/contract';
import type { Request, Response } from 'express';

import type { StoredEvent } from './chat-store';

/**
 * A client this far behind is cut off rather than buffered without bound: every event is
 * stored, so it reconnects with Last-Event-ID and loses nothing.
 */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface SseStream {
  send: (stored: StoredEvent) => void;
  end: () => void;
  /** Called once when the stream ends, from either side. */
  onClose: (listener: () => void) => void;
}

export function formatSseEvent(stored: StoredEvent): string {
  return `id: ${stored.id}\ndata: ${JSON.stringify(stored.event)}\n\n`;
}

/** Starts an SSE response: no-buffering headers, a flush per event, a comment heartbeat. */
export function openSseStream(req: Request, res: Response, heartbeatMs: number): SseStream {
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
  req.socket.setNoDelay(true);
  const listeners: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const listener of listeners) listener();
  };
  const heartbeat = setInterval(() => {
    if (!closed) res.write(': ping\n\n');
  }, heartbeatMs);
  res.on('close', close);
  return {
    send: (stored) => {
      if (closed) return;
      res.write(formatSseEvent(stored));
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        close();
        res.destroy();
      }
    },
    end: () => {
      if (closed) return;
      close();
      res.end();
    },
    onClose: (listener) => listeners.push(listener),
  };
}

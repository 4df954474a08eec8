export interface SseMessage {
  id: number | undefined;
  data: unknown;
}

export interface SseRead {
  events: SseMessage[];
  /** Comment lines (`: ping`) seen, without the colon. */
  comments: string[];
}

/**
 * Reads a `text/event-stream` body as the browser's EventSource would: `id:` and `data:`
 * lines per event, blank line ends an event, `:` lines are comments. Stops at the end of the
 * stream, when `until` says so (the connection is then cancelled), or on `signal`.
 */
export async function readSse(
  response: Response,
  options: {
    until?: (event: SseMessage, all: SseMessage[]) => boolean;
    onEvent?: (event: SseMessage) => void;
  } = {},
): Promise<SseRead> {
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseMessage[] = [];
  const comments: string[] = [];
  let buffer = '';
  let id: number | undefined;
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0) {
            const event = { id, data: JSON.parse(data.join('\n')) as unknown };
            events.push(event);
            options.onEvent?.(event);
            if (options.until?.(event, events)) return { events, comments };
          }
          id = undefined;
          data = [];
        } else if (line.startsWith(':')) {
          comments.push(line.slice(1).trim());
        } else if (line.startsWith('id:')) {
          id = Number(line.slice(3).trim());
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
      }
    }
    return { events, comments };
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Stops at the run's last event. */
export const untilDone = (event: SseMessage): boolean =>
  (event.data as { type?: string }).type === 'done';

/** One server-sent event as the browser's EventSource would see it. */
export interface SseEvent {
  /** The `id:` of this event, or undefined when it carried none. */
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * An incremental `text/event-stream` parser (WHATWG rules): `id:`, `event:`, `data:` (joined
 * with newlines), `retry:` ignored, `:` comment lines skipped, CR/LF/CRLF line ends, and chunks
 * that split anywhere — in a line or between the CR and LF of one line end.
 */
export class SseParser {
  #buffer = '';
  #id: string | undefined;
  #event = '';
  #data: string[] = [];
  #sawCr = false;

  feed(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    let text = chunk;
    // A CR at the very end of the previous chunk already ended its line; skip the LF here.
    if (this.#sawCr && text.startsWith('\n')) text = text.slice(1);
    this.#sawCr = false;
    this.#buffer += text;
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i += 1) {
      const char = this.#buffer[i];
      if (char !== '\n' && char !== '\r') continue;
      this.#line(this.#buffer.slice(start, i), events);
      if (char === '\r') {
        if (i + 1 === this.#buffer.length) this.#sawCr = true;
        else if (this.#buffer[i + 1] === '\n') i += 1;
      }
      start = i + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0) {
        events.push({ id: this.#id, event: this.#event || 'message', data: this.#data.join('\n') });
      }
      this.#id = undefined;
      this.#event = '';
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
  }
}

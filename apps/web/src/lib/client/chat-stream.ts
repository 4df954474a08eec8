import { chatEventSchema, type ChatEvent } from '@grove/contract';

import { readApiError } from '@/lib/api/browser';

import { backoffDelay } from './backoff';
import { SseParser } from './sse-parser';

export type ChatStreamState =
  { kind: 'idle' } | { kind: 'streaming' } | { kind: 'reconnecting'; inMs: number };

export interface ChatStreamOptions {
  sessionId: string;
  onEvent: (event: ChatEvent, id: number | undefined) => void;
  onState: (state: ChatStreamState) => void;
  onError: (message: string) => void;
}

/**
 * The session's agent run as the browser follows it: sending opens the SSE answer; if that
 * stream breaks before `done` (network drop, proxy timeout) it is resumed from
 * `GET …/stream` with `Last-Event-ID`, so every event arrives exactly once.
 */
export class ChatStream {
  readonly #options: ChatStreamOptions;
  #lastEventId: number | undefined;
  #abort: AbortController | undefined;
  /** A message being posted; its answer replaces the followed stream only once accepted. */
  #posting: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #disposed = false;

  constructor(options: ChatStreamOptions) {
    this.#options = options;
  }

  get lastEventId(): number | undefined {
    return this.#lastEventId;
  }

  /**
   * Starts a run. Contract errors (409 busy, 429 with when to retry) are thrown to the caller,
   * and then the stream being followed (a run still going) is left as it was: only a run that
   * was accepted replaces it.
   */
  async send(message: string): Promise<void> {
    if (this.#disposed) return;
    const abort = new AbortController();
    this.#posting = abort;
    let response: Response;
    try {
      response = await fetch('/api/workspace/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ sessionId: this.#options.sessionId, message }),
        credentials: 'same-origin',
        signal: abort.signal,
      });
    } finally {
      if (this.#posting === abort) this.#posting = undefined;
    }
    if (!response.ok) throw await readApiError(response);
    if (this.#disposed || abort.signal.aborted) {
      void response.body?.cancel();
      return;
    }
    this.#cancel();
    this.#abort = abort;
    void this.#follow(response, abort);
  }

  /**
   * Follows the latest run: from `Last-Event-ID` when this page saw events before, else from
   * the run's start (after a reload the transcript of a running run is rebuilt from there).
   */
  resume(): void {
    this.#cancel();
    void this.#reconnect();
  }

  dispose(): void {
    this.#disposed = true;
    this.#posting?.abort();
    this.#cancel();
  }

  #cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    this.#abort = undefined;
  }

  async #reconnect(): Promise<void> {
    if (this.#disposed) return;
    const abort = new AbortController();
    this.#abort = abort;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.#lastEventId !== undefined) headers['last-event-id'] = String(this.#lastEventId);
    let response: Response;
    try {
      response = await fetch(`/api/workspace/chat/${this.#options.sessionId}/stream`, {
        headers,
        credentials: 'same-origin',
        signal: abort.signal,
        cache: 'no-store',
      });
    } catch {
      if (!abort.signal.aborted) this.#retry();
      return;
    }
    if (response.status === 404) {
      // No run to follow (none started yet).
      this.#options.onState({ kind: 'idle' });
      return;
    }
    if (!response.ok) {
      const error = await readApiError(response);
      if (response.status >= 500 || response.status === 429) this.#retry(error.retryAfter);
      else this.#options.onError(error.message);
      return;
    }
    await this.#follow(response, abort);
  }

  async #follow(response: Response, abort: AbortController): Promise<void> {
    this.#options.onState({ kind: 'streaming' });
    const parser = new SseParser();
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let done = false;
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        for (const raw of parser.feed(chunk.value)) {
          const parsed = chatEventSchema.safeParse(JSON.parse(raw.data));
          if (!parsed.success) continue;
          const id = raw.id === undefined ? undefined : Number(raw.id);
          if (id !== undefined && Number.isFinite(id)) this.#lastEventId = id;
          this.#attempt = 0;
          this.#options.onEvent(parsed.data, id);
          if (parsed.data.type === 'done') done = true;
        }
      }
    } catch {
      // A dropped connection: resumed below unless the page cancelled it.
    }
    if (abort.signal.aborted || this.#disposed) return;
    if (done) this.#options.onState({ kind: 'idle' });
    else this.#retry();
  }

  #retry(atLeastSeconds?: number): void {
    if (this.#disposed) return;
    const inMs = Math.max((atLeastSeconds ?? 0) * 1000, backoffDelay(this.#attempt));
    this.#attempt += 1;
    this.#options.onState({ kind: 'reconnecting', inMs });
    this.#timer = setTimeout(() => void this.#reconnect(), inMs);
  }
}

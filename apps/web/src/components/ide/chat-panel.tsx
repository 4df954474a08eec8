'use client';

import type { ChatEngineStatus, ChatMessage } from '@grove/contract';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';
import {
  answerPermission,
  applyChatEvent,
  canSend,
  isRunning,
  itemsFromHistory,
  type ChatItem,
} from '@/lib/client/chat-model';
import { ChatStream, type ChatStreamState } from '@/lib/client/chat-stream';
import { errorMessage } from '@/lib/client/format';

import { ChatTranscript } from './chat-transcript';

interface Props {
  sessionId: string;
  /** Called when a run ends: the agent may have changed files. */
  onRunFinished: () => void;
}

/**
 * Agent chat. History comes from `…/messages`; a run still going when the page opens (after a
 * reload, or started elsewhere) is followed from its first event, and a dropped stream is
 * resumed with Last-Event-ID by ChatStream.
 */
export function ChatPanel({ sessionId, onRunFinished }: Props) {
  const [items, setItems] = useState<ChatItem[]>([]);
  const [state, setState] = useState<ChatStreamState>({ kind: 'idle' });
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | undefined>();
  // What the worker says of its engine: not set up is said before anything is typed.
  const [engine, setEngine] = useState<ChatEngineStatus | undefined>();
  // From posting a message until the worker accepted or refused it.
  const [sending, setSending] = useState(false);
  const stream = useRef<ChatStream | undefined>(undefined);
  // Reads the history and follows a run still going (on open, and when another tab started one).
  const follow = useRef<() => void>(() => undefined);
  const finished = useRef(onRunFinished);
  finished.current = onRunFinished;
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const chat = new ChatStream({
      sessionId,
      onEvent: (event) => {
        setItems((current) => applyChatEvent(current, event));
        if (event.type === 'done' || event.type === 'tool_result') finished.current();
      },
      onState: setState,
      onError: setError,
    });
    stream.current = chat;
    const onOnline = () => {
      if (chat.lastEventId !== undefined) chat.resume();
    };
    window.addEventListener('online', onOnline);
    follow.current = () => {
      apiFetch<{ messages: ChatMessage[]; engine?: ChatEngineStatus }>(
        `/api/workspace/session/${sessionId}/messages`,
        { cache: 'no-store' },
      )
        .then(({ messages, engine: status }) => {
          setEngine(status);
          const running =
            messages.at(-1)?.role === 'assistant' && messages.at(-1)?.status === 'running';
          // A running answer is rebuilt from the stream's replay rather than from the snapshot.
          setItems(itemsFromHistory(running ? messages.slice(0, -1) : messages));
          if (running) chat.resume();
        })
        .catch((e: unknown) => setError(errorMessage(e)));
    };
    follow.current();
    return () => {
      window.removeEventListener('online', onOnline);
      chat.dispose();
    };
  }, [sessionId]);

  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [items]);

  const running = isRunning(items);
  const sendable = canSend(items, draft, sending);

  async function send(event?: FormEvent) {
    event?.preventDefault();
    // The button and the shortcut alike: no second message while a run goes.
    if (!sendable || !stream.current) return;
    const message = draft.trim();
    setError(undefined);
    setSending(true);
    // Shown at once, before the run's first event can arrive; taken back if refused.
    const id = `local-${Date.now()}`;
    setItems((current) => [...current, { kind: 'user', id, text: message }]);
    setDraft('');
    try {
      await stream.current.send(message);
    } catch (e) {
      setItems((current) => current.filter((item) => item.kind !== 'user' || item.id !== id));
      setDraft(message);
      setError(errorMessage(e));
      // A run this page did not know of (started in another tab): show it and follow it.
      if (e instanceof ApiError && e.code === 'conflict') follow.current();
    } finally {
      setSending(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== 'Enter' || !(event.metaKey || event.ctrlKey)) return;
    event.preventDefault();
    void send();
  }

  async function stop() {
    try {
      await apiFetch(`/api/workspace/chat/${sessionId}/stop`, { method: 'POST' });
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function permission(requestId: string, allow: boolean) {
    try {
      await apiFetch(`/api/workspace/chat/${sessionId}/permission`, {
        method: 'POST',
        json: { requestId, allow },
      });
      setItems((current) => answerPermission(current, requestId, allow ? 'allowed' : 'denied'));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div className="chat">
      {/* Streamed text is not read out token by token: a screen reader hears the run's turns. */}
      <p className="visually-hidden" role="status">
        {runAnnouncement(items)}
      </p>
      <div className="chat-scroll">
        <ChatTranscript items={items} onPermission={(id, allow) => void permission(id, allow)} />
        <div ref={bottom} />
      </div>
      {state.kind === 'reconnecting' && (
        <p className="muted small pad" role="status">
          Connection lost; resuming in {Math.ceil(state.inMs / 1000)}s…
        </p>
      )}
      {engine?.ready === false && !error && (
        <p className="error small pad" role="status">
          {engine.message ?? 'The agent is not set up on this worker.'}
        </p>
      )}
      {error && (
        <p className="error small pad" role="alert">
          {error}
        </p>
      )}
      <form className="chat-form" onSubmit={(event) => void send(event)}>
        <label htmlFor="chat-input" className="visually-hidden">
          Message to the agent
        </label>
        <textarea
          id="chat-input"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Ask the agent… (Ctrl+Enter to send)"
          rows={3}
        />
        <div className="row">
          <button type="submit" disabled={!sendable}>
            Send
          </button>
          {running && (
            <button type="button" className="danger" onClick={() => void stop()}>
              Stop
            </button>
          )}
        </div>
      </form>
    </div>
  );
}

/** What a screen reader is told about the latest run: only its changes of state. */
function runAnnouncement(items: ChatItem[]): string {
  const last = items.at(-1);
  if (last?.kind !== 'assistant') return '';
  const asking = last.parts.find((part) => part.kind === 'permission' && !part.answer);
  if (asking?.kind === 'permission') return `The agent asks to use ${asking.tool}: allow or deny.`;
  switch (last.status) {
    case 'running':
      return 'The agent is working.';
    case 'completed':
      return 'The agent has answered.';
    case 'stopped':
      return 'The run was stopped.';
    default:
      // One full stop, whether or not the message brings its own.
      return `The run ended: ${(last.error?.message ?? last.status).replace(/[.!?]+$/, '')}.`;
  }
}

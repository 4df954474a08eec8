'use client';

import type { AssistantPart, ChatItem } from '@/lib/client/chat-model';
import { formatUsd } from '@/lib/client/format';

import { Markdown } from './markdown';

interface Props {
  items: ChatItem[];
  onPermission: (requestId: string, allow: boolean) => void;
}

function preview(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return text.length > 4000
    ? `${text.slice(0, 4000)}\n… (${text.length - 4000} more characters)`
    : text;
}

function toolSummary(name: string, input: unknown): string {
  const obj = (input ?? {}) as Record<string, unknown>;
  const hint = obj.file_path ?? obj.path ?? obj.command ?? obj.pattern;
  return typeof hint === 'string' ? `${name} ${hint}` : name;
}

function Part({
  part,
  live,
  onPermission,
}: {
  part: AssistantPart;
  /** The run is still going: an open permission can be answered. */
  live: boolean;
  onPermission: Props['onPermission'];
}) {
  if (part.kind === 'text') return <Markdown text={part.text} />;
  if (part.kind === 'tool') {
    const state = part.result === undefined ? 'running' : part.isError ? 'failed' : 'done';
    return (
      <details className={`tool-call ${state}`}>
        <summary>
          <span className="tool-state">
            {state === 'running' ? '…' : state === 'failed' ? '✗' : '✓'}
          </span>{' '}
          <code className="break">{toolSummary(part.name, part.input)}</code>
        </summary>
        <div className="tool-body">
          <div className="muted small">Input</div>
          <pre>{preview(part.input)}</pre>
          {part.result !== undefined && (
            <>
              <div className="muted small">{part.isError ? 'Error' : 'Result'}</div>
              <pre>{preview(part.result)}</pre>
            </>
          )}
        </div>
      </details>
    );
  }
  return (
    <div className="permission" role="group" aria-label={`Permission for ${part.tool}`}>
      <p>
        The agent asks to use <code>{part.tool}</code>
      </p>
      <pre>{preview(part.input)}</pre>
      {part.answer || !live ? (
        <p className="muted small">
          {part.answer === 'allowed'
            ? 'Allowed'
            : part.answer === 'denied'
              ? 'Denied'
              : 'Not answered'}
        </p>
      ) : (
        <div className="row">
          <button type="button" onClick={() => onPermission(part.requestId, true)}>
            Allow
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => onPermission(part.requestId, false)}
          >
            Deny
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * The engine names a tool call, then asks whether it may run it: shown the other way round,
 * the question comes before the call and its ✓/✗.
 */
function askedFirst(parts: AssistantPart[]): AssistantPart[] {
  const shown = parts.slice();
  for (let i = 0; i + 1 < shown.length; i++) {
    const [call, ask] = [shown[i]!, shown[i + 1]!];
    if (call.kind === 'tool' && ask.kind === 'permission' && ask.tool === call.name) {
      shown[i] = ask;
      shown[i + 1] = call;
      i++;
    }
  }
  return shown;
}

/** The conversation: the user's messages and each run's answer, tool calls collapsed. */
export function ChatTranscript({ items, onPermission }: Props) {
  if (items.length === 0)
    return <p className="muted pad">Ask the agent to change something in this worktree.</p>;
  return (
    <ol className="transcript">
      {items.map((item) =>
        item.kind === 'user' ? (
          <li key={item.id} className="msg user">
            <div className="msg-role muted small">You</div>
            <div className="user-text">{item.text}</div>
          </li>
        ) : (
          <li key={item.runId} className="msg assistant" data-run-status={item.status}>
            <div className="msg-role muted small">
              Agent
              {item.status === 'running' && (
                <>
                  {' '}
                  <span className="spinner" aria-hidden="true" /> working…
                </>
              )}
            </div>
            {askedFirst(item.parts).map((part, index) => (
              <Part
                key={index}
                part={part}
                live={item.status === 'running'}
                onPermission={onPermission}
              />
            ))}
            {item.error && (
              <p className="error small" role="alert">
                {item.error.code === 'stopped' ? 'Stopped.' : item.error.message}
              </p>
            )}
            {item.usage && (
              <p className="muted small run-cost" data-testid="run-cost">
                {formatUsd(item.usage.costUsd)} · {item.usage.inputTokens.toLocaleString()} in /{' '}
                {item.usage.outputTokens.toLocaleString()} out tokens
              </p>
            )}
          </li>
        ),
      )}
    </ol>
  );
}

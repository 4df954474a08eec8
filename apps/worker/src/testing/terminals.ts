import { TerminalClient, type TerminalClientOptions } from '@grove/testkit';

import type { TestWorker } from './harness';

export const TEST_ORIGIN = 'http://127.0.0.1:3000';

export async function createSession(
  tw: TestWorker,
  userId: string,
  repo: string,
): Promise<{ id: string; worktree: string }> {
  const response = await tw.fetchAs(userId)('/sessions', { json: { repo } });
  if (response.status !== 201)
    throw new Error(`create failed: ${response.status} ${await response.text()}`);
  const { session } = (await response.json()) as { session: { id: string } };
  return { id: session.id, worktree: tw.worker.sessions.worktreePath(session.id) };
}

export async function requestTicket(
  tw: TestWorker,
  userId: string,
  sessionId: string,
  terminalId?: string,
): Promise<{
  status: number;
  body: {
    terminalId: string;
    wsPath: string;
    ticket: string;
    error?: { code: string; message: string };
  };
}> {
  const response = await tw.fetchAs(userId)('/terminals/tickets', {
    json: { sessionId, ...(terminalId ? { terminalId } : {}) },
  });
  return { status: response.status, body: (await response.json()) as never };
}

/** Ticket + socket for a (new or existing) terminal; `since` resumes. */
export async function openTerminal(
  tw: TestWorker,
  userId: string,
  sessionId: string,
  options: TerminalClientOptions & { terminalId?: string; since?: number } = {},
): Promise<{ client: TerminalClient; terminalId: string }> {
  const { status, body } = await requestTicket(tw, userId, sessionId, options.terminalId);
  if (status !== 201) throw new Error(`ticket refused: ${status} ${JSON.stringify(body)}`);
  const url = `${tw.baseUrl.replace('http', 'ws')}${body.wsPath}${options.since !== undefined ? `&since=${options.since}` : ''}`;
  const client = await TerminalClient.connect(url, {
    origin: TEST_ORIGIN,
    ack: true,
    ...options,
    since: options.since,
  });
  return { client, terminalId: body.terminalId };
}

/** The numbers printed on lines of their own, in order (prompts and echoes are other lines). */
export function numberLines(text: string): number[] {
  return (
    text
      .split('\n')
      // eslint-disable-next-line no-control-regex -- stripping the terminal's escape sequences
      .map((line) => line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, ''))
      .filter((line) => /^\d+$/.test(line))
      .map(Number)
  );
}

/** Asserts that every output frame's data is exactly seq − previous seq bytes long. */
export function byteAccountingErrors(client: TerminalClient, startSeq: number): string[] {
  const errors: string[] = [];
  let previous = startSeq;
  for (const frame of client.frames) {
    if (frame.type !== 'output') continue;
    const bytes = Buffer.byteLength(frame.data ?? '');
    if (frame.seq! - previous !== bytes)
      errors.push(`frame ending at ${frame.seq} carries ${bytes} bytes after ${previous}`);
    previous = frame.seq!;
  }
  return errors;
}

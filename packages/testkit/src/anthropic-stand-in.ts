import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One content block of a scripted assistant turn. */
export type ScriptedBlock =
  | { type: 'text'; text: string; /** split into this many text_delta events */ chunks?: number }
  | { type: 'tool_use'; name: string; input: Record<string, unknown>; id?: string };

/** What the stand-in answers to one main-loop request of the engine. */
export interface ScriptedTurn {
  blocks?: ScriptedBlock[];
  /** Tokens reported in message_start / message_delta (defaults: 10 in, 5 out). */
  usage?: { inputTokens: number; outputTokens: number };
  /** Pause between SSE events, to make a slow stream. */
  delayMs?: number;
  /**
   * Stops the turn's stream after `afterChunks` text deltas until `until` settles: a run that
   * stays going for as long as a test needs, however slow the machine.
   */
  hold?: { afterChunks: number; until: Promise<unknown> };
  /** Answer with an API error instead of a message (e.g. 400 invalid_request_error). */
  error?: { status: number; type: string; message: string };
}

export interface RecordedRequest {
  path: string;
  model: string | undefined;
  /** Whether the request offered tools: the engine's main loop, which consumes scripted turns. */
  main: boolean;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}

export interface AnthropicStandIn {
  /** Base URL for ANTHROPIC_BASE_URL. */
  url: string;
  /** Every request seen, in order (main-loop and auxiliary). */
  requests: RecordedRequest[];
  /** Appends turns to the script; main-loop requests consume them in order. */
  script: (...turns: ScriptedTurn[]) => void;
  /** Scripted turns not consumed yet. */
  pending: () => number;
  /** The tool_result blocks the engine sent back, in order. */
  toolResults: () => { toolUseId: string; content: unknown; isError: boolean }[];
  close: () => Promise<void>;
}

/** What a main-loop request gets when the script has run out: a short final answer. */
const FALLBACK_TURN: ScriptedTurn = { blocks: [{ type: 'text', text: 'Done.' }] };

function newToolUseId(): string {
  return `toolu_${randomBytes(12).toString('hex')}`;
}

function writeEvent(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function splitText(text: string, chunks: number): string[] {
  if (chunks <= 1 || text.length <= 1) return [text];
  const size = Math.ceil(text.length / chunks);
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

/**
 * Streams one turn exactly as the Messages API does with `stream: true`: message_start,
 * per block content_block_start / *_delta / content_block_stop, message_delta with the
 * stop reason and usage, message_stop.
 */
async function streamTurn(
  res: ServerResponse,
  model: string,
  turn: ScriptedTurn,
  isClosed: () => boolean,
): Promise<void> {
  const blocks = turn.blocks ?? [];
  const usage = turn.usage ?? { inputTokens: 10, outputTokens: 5 };
  const pause = async () => {
    if (turn.delayMs) await sleep(turn.delayMs);
  };
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_${randomBytes(8).toString('hex')}`,
  });
  writeEvent(res, 'message_start', {
    type: 'message_start',
    message: {
      id: `msg_${randomBytes(12).toString('hex')}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: usage.inputTokens,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  });
  let index = 0;
  let textChunks = 0;
  for (const block of blocks) {
    if (isClosed()) return;
    await pause();
    if (block.type === 'text') {
      writeEvent(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      for (const part of splitText(block.text, block.chunks ?? 1)) {
        if (isClosed()) return;
        writeEvent(res, 'content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: part },
        });
        textChunks += 1;
        if (turn.hold && textChunks === turn.hold.afterChunks) await turn.hold.until;
        await pause();
      }
    } else {
      writeEvent(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: {
          type: 'tool_use',
          id: block.id ?? newToolUseId(),
          name: block.name,
          input: {},
        },
      });
      // The real API streams tool input as partial JSON; two pieces exercise the reassembly.
      const json = JSON.stringify(block.input);
      const cut = Math.floor(json.length / 2);
      for (const partial of [json.slice(0, cut), json.slice(cut)]) {
        writeEvent(res, 'content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: partial },
        });
      }
    }
    writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  await pause();
  writeEvent(res, 'message_delta', {
    type: 'message_delta',
    delta: {
      stop_reason: blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn',
      stop_sequence: null,
    },
    usage: { output_tokens: usage.outputTokens },
  });
  writeEvent(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function answerJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * A local stand-in for the Anthropic Messages API, faithful to its streaming protocol, so the
 * real Claude Code engine can run offline against scripted model turns. Requests that offer
 * tools are the engine's main loop and consume the script in order; auxiliary calls (titles,
 * quota probes, token counts) get short generic answers and never consume a turn.
 */
export async function startAnthropicStandIn(turns: ScriptedTurn[] = []): Promise<AnthropicStandIn> {
  const queue: ScriptedTurn[] = [...turns];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (req.method !== 'POST') {
        answerJson(res, 404, {
          type: 'error',
          error: { type: 'not_found_error', message: 'Not found' },
        });
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = await readBody(req);
      } catch {
        answerJson(res, 400, {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'Body is not JSON' },
        });
        return;
      }
      const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5';
      const tools = Array.isArray(body.tools) ? body.tools : [];
      const main = url.pathname === '/v1/messages' && tools.length > 0;
      requests.push({ path: url.pathname, model, main, body, headers: req.headers });

      if (url.pathname === '/v1/messages/count_tokens') {
        answerJson(res, 200, { input_tokens: 100 });
        return;
      }
      if (url.pathname !== '/v1/messages') {
        answerJson(res, 404, {
          type: 'error',
          error: { type: 'not_found_error', message: 'Not found' },
        });
        return;
      }
      const turn = main
        ? (queue.shift() ?? FALLBACK_TURN)
        : { blocks: [{ type: 'text' as const, text: 'Chat' }] };
      if (turn.error) {
        answerJson(res, turn.error.status, {
          type: 'error',
          error: { type: turn.error.type, message: turn.error.message },
        });
        return;
      }
      if (body.stream !== true) {
        // Non-streaming auxiliary calls get a whole message.
        answerJson(res, 200, {
          id: `msg_${randomBytes(12).toString('hex')}`,
          type: 'message',
          role: 'assistant',
          model,
          content: (turn.blocks ?? []).map((block) =>
            block.type === 'text'
              ? { type: 'text', text: block.text }
              : {
                  type: 'tool_use',
                  id: block.id ?? newToolUseId(),
                  name: block.name,
                  input: block.input,
                },
          ),
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 5 },
        });
        return;
      }
      let closed = false;
      res.on('close', () => {
        closed = true;
      });
      await streamTurn(res, model, turn, () => closed);
    })().catch(() => {
      if (!res.headersSent)
        answerJson(res, 500, {
          type: 'error',
          error: { type: 'api_error', message: 'stand-in failed' },
        });
      else res.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...more) => queue.push(...more),
    pending: () => queue.length,
    toolResults: () => {
      // Every request re-sends the whole conversation: keep each tool result once.
      const seen = new Map<string, { toolUseId: string; content: unknown; isError: boolean }>();
      for (const result of requests
        .filter((r) => r.main)
        .flatMap((r) => (Array.isArray(r.body.messages) ? (r.body.messages as unknown[]) : []))
        .flatMap((message) => {
          const content = (message as { content?: unknown }).content;
          return Array.isArray(content) ? (content as Record<string, unknown>[]) : [];
        })
        .filter((block) => block.type === 'tool_result')
        .map((block) => ({
          toolUseId: String(block.tool_use_id),
          content: block.content,
          isError: block.is_error === true,
        })))
        seen.set(result.toolUseId, result);
      return [...seen.values()];
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

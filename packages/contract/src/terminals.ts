import { z } from 'zod';

import { sessionIdSchema } from './sessions';

/** Frames above this are refused with an error frame; the connection lives on. */
export const TERMINAL_MAX_FRAME_BYTES = 1024 * 1024;
export const TERMINAL_MIN_COLS = 2;
export const TERMINAL_MAX_COLS = 1000;
export const TERMINAL_MIN_ROWS = 1;
export const TERMINAL_MAX_ROWS = 500;
/** Tickets for a terminal socket live at most this long. */
export const TERMINAL_TICKET_TTL_SECONDS = 60;

export const terminalIdSchema = z.string().regex(/^[a-z0-9]{10,32}$/, 'is not a terminal id');

export const terminalConfigQuerySchema = z.object({
  sessionId: sessionIdSchema,
  terminalId: terminalIdSchema.optional(),
});
export type TerminalConfigQuery = z.infer<typeof terminalConfigQuerySchema>;

/** Web → worker: issue a ticket for a (new or existing) terminal of a session. */
export const terminalTicketRequestSchema = terminalConfigQuerySchema;

export const terminalTicketResponseSchema = z.object({
  terminalId: terminalIdSchema,
  ticket: z.string(),
  /** Path and query on the worker's public origin, ticket included. */
  wsPath: z.string(),
  expiresAt: z.string(),
});
export type TerminalTicketResponse = z.infer<typeof terminalTicketResponseSchema>;

export const terminalConfigResponseSchema = z.object({
  wsUrl: z.string(),
  terminalId: terminalIdSchema,
  expiresAt: z.string(),
});
export type TerminalConfigResponse = z.infer<typeof terminalConfigResponseSchema>;

export const terminalSummarySchema = z.object({
  id: terminalIdSchema,
  sessionId: sessionIdSchema,
  status: z.enum(['running', 'exited', 'previous']),
  seq: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type TerminalSummary = z.infer<typeof terminalSummarySchema>;

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input'), data: z.string().max(TERMINAL_MAX_FRAME_BYTES) }),
  z.object({
    type: z.literal('resize'),
    cols: z.number().int().min(TERMINAL_MIN_COLS).max(TERMINAL_MAX_COLS),
    rows: z.number().int().min(TERMINAL_MIN_ROWS).max(TERMINAL_MAX_ROWS),
  }),
  z.object({ type: z.literal('ack'), seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('connected'),
    terminalId: terminalIdSchema,
    seq: z.number().int().nonnegative(),
    /**
     * Addition to the contract: the size the replay that follows starts at (the PTY's size
     * when there were no resizes within it; `resize` frames mark those).
     * Optional so that a client still accepts a server that sends the contract's frame only.
     */
    cols: z.number().int().min(TERMINAL_MIN_COLS).max(TERMINAL_MAX_COLS).optional(),
    rows: z.number().int().min(TERMINAL_MIN_ROWS).max(TERMINAL_MAX_ROWS).optional(),
  }),
  z.object({ type: z.literal('output'), data: z.string(), seq: z.number().int().nonnegative() }),
  /**
   * Addition to the contract, in replays only: the PTY was resized here, and the output after
   * `seq` was produced at `cols`×`rows` (render it there, as a client watching then was).
   */
  z.object({
    type: z.literal('resize'),
    cols: z.number().int().min(TERMINAL_MIN_COLS).max(TERMINAL_MAX_COLS),
    rows: z.number().int().min(TERMINAL_MIN_ROWS).max(TERMINAL_MAX_ROWS),
    seq: z.number().int().nonnegative(),
  }),
  // A shell a signal ended: exitCode null and the signal's number (`kill -9` gives 9).
  z.object({
    type: z.literal('exit'),
    exitCode: z.number().int().nullable(),
    signal: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal('pong') }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

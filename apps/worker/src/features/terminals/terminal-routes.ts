import {
  parseOrThrow,
  sessionIdSchema,
  terminalIdSchema,
  terminalTicketRequestSchema,
} from '@grove/contract';
import { Router, type Request, type Response } from 'express';

import { contextOf } from '../../lib/request-context';
import type { TerminalManager } from './terminal-manager';

export function terminalRoutes(terminals: TerminalManager): Router {
  const router = Router();

  router.post('/terminals/tickets', (req: Request, res: Response) => {
    const body = parseOrThrow(terminalTicketRequestSchema, req.body, 'terminal ticket request');
    res.setHeader('Cache-Control', 'no-store');
    res
      .status(201)
      .json(terminals.issueTicket(contextOf(req, res), body.sessionId, body.terminalId));
  });

  router.get('/sessions/:id/terminals', (req: Request<{ id: string }>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    res.json({ terminals: terminals.list(contextOf(req, res), id) });
  });

  /**
   * Closes a terminal for good (addition to the contract). `?sessionId=` lets the web's
   * session-scoped route insist that the terminal belongs to that session.
   */
  router.delete('/terminals/:id', async (req: Request<{ id: string }>, res: Response) => {
    const id = parseOrThrow(terminalIdSchema, req.params.id, 'terminal id');
    const sessionId = parseOrThrow(sessionIdSchema.optional(), req.query.sessionId, 'session id');
    await terminals.close(contextOf(req, res), id, sessionId);
    res.status(204).end();
  });

  return router;
}

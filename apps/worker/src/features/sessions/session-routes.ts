import {
  createSessionBodySchema,
  idempotencyKeySchema,
  parseOrThrow,
  sessionIdSchema,
} from '@grove/contract';
import { Router, type Request, type Response } from 'express';

import { contextOf } from '../../lib/request-context';
import type { Metrics } from '../../lib/metrics';
import type { SessionService } from './session-service';

/** Thin routes: parse with the contract, call the service, answer. */
export function sessionRoutes(service: SessionService, metrics: Metrics): Router {
  const router = Router();

  router.get('/sessions', (req: Request, res: Response) => {
    res.json({ sessions: service.list(contextOf(req, res)) });
  });

  router.post('/sessions', async (req: Request, res: Response) => {
    const body = parseOrThrow(createSessionBodySchema, req.body, 'session');
    const rawKey = req.headers['idempotency-key'];
    const key =
      rawKey === undefined
        ? undefined
        : parseOrThrow(idempotencyKeySchema, rawKey, 'Idempotency-Key header');
    try {
      const { session, replayed } = await service.create(contextOf(req, res), body, key);
      metrics.sessionOps.inc({ op: 'create', outcome: replayed ? 'replayed' : 'ok' });
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      res.status(201).json({ session });
    } catch (error) {
      metrics.sessionOps.inc({ op: 'create', outcome: 'error' });
      throw error;
    }
  });

  router.get('/sessions/:id', (req: Request<{ id: string }>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    res.json({ session: service.get(contextOf(req, res), id) });
  });

  router.delete('/sessions/:id', async (req: Request<{ id: string }>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    await service.delete(contextOf(req, res), id);
    metrics.sessionOps.inc({ op: 'delete', outcome: 'ok' });
    res.status(204).end();
  });

  return router;
}

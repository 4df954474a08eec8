import {
  listFilesQuerySchema,
  parseOrThrow,
  readFileQuerySchema,
  sessionIdSchema,
  writeFileBodySchema,
} from '@grove/contract';
import { Router, type Request, type Response } from 'express';

import { contextOf } from '../../lib/request-context';
import type { FileService } from './file-service';

type IdParams = { id: string };

/** Thin routes: parse with the contract, call the service, answer. */
export function fileRoutes(service: FileService): Router {
  const router = Router();

  router.get('/sessions/:id/files', async (req: Request<IdParams>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    const query = parseOrThrow(listFilesQuerySchema, req.query, 'query');
    res.json({ entries: await service.list(contextOf(req, res), id, query.path) });
  });

  router.get('/sessions/:id/file', async (req: Request<IdParams>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    const query = parseOrThrow(readFileQuerySchema, req.query, 'query');
    res.json(await service.read(contextOf(req, res), id, query.path));
  });

  router.put('/sessions/:id/file', async (req: Request<IdParams>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    const body = parseOrThrow(writeFileBodySchema, req.body, 'file');
    res.json(await service.write(contextOf(req, res), id, body));
  });

  return router;
}

import {
  createFolderBodySchema,
  deleteEntryQuerySchema,
  listFilesQuerySchema,
  moveEntryBodySchema,
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
    res.json(await service.list(contextOf(req, res), id, query.path));
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

  router.delete('/sessions/:id/file', async (req: Request<IdParams>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    const query = parseOrThrow(deleteEntryQuerySchema, req.query, 'query');
    res.json(await service.delete(contextOf(req, res), id, query.path));
  });

  router.post('/sessions/:id/file/move', async (req: Request<IdParams>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    const body = parseOrThrow(moveEntryBodySchema, req.body, 'move');
    res.json(await service.move(contextOf(req, res), id, body));
  });

  router.post('/sessions/:id/folder', async (req: Request<IdParams>, res: Response) => {
    const id = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    const body = parseOrThrow(createFolderBodySchema, req.body, 'folder');
    const folder = await service.createFolder(contextOf(req, res), id, body);
    res.status(folder.created ? 201 : 200).json(folder);
  });

  return router;
}

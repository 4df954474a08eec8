import {
  AppError,
  createPullRequestBodySchema,
  gitCommitBodySchema,
  gitDiffQuerySchema,
  GITHUB_WEBHOOK_USER_ID,
  githubWebhookForwardSchema,
  parseOrThrow,
  restoreWipBodySchema,
  sessionIdSchema,
  updateFromBaseBodySchema,
} from '@grove/contract';
import { Router, type Request, type Response } from 'express';

import { contextOf } from '../../lib/request-context';
import type { GitService } from './git-service';
import type { WebhookService } from './webhook-service';

type IdParams = { id: string };

function idOf(req: Request<IdParams>): string {
  return parseOrThrow(sessionIdSchema, req.params.id, 'session id');
}

/** Thin routes: parse with the contract, call the service, answer. */
export function gitRoutes(service: GitService, webhooks: WebhookService): Router {
  const router = Router();

  router.get('/sessions/:id/git/status', async (req: Request<IdParams>, res: Response) => {
    res.json(await service.status(contextOf(req, res), idOf(req)));
  });

  router.get('/sessions/:id/git/diff', async (req: Request<IdParams>, res: Response) => {
    const query = parseOrThrow(gitDiffQuerySchema, req.query, 'query');
    res.json(await service.diff(contextOf(req, res), idOf(req), query.path));
  });

  router.post('/sessions/:id/git/commit', async (req: Request<IdParams>, res: Response) => {
    const id = idOf(req);
    const body = parseOrThrow(gitCommitBodySchema, req.body, 'commit');
    res.json({ commit: await service.commit(contextOf(req, res), id, body.message) });
  });

  router.post('/sessions/:id/git/push', async (req: Request<IdParams>, res: Response) => {
    res.json(await service.push(contextOf(req, res), idOf(req)));
  });

  router.post('/sessions/:id/git/pr', async (req: Request<IdParams>, res: Response) => {
    const id = idOf(req);
    const body = parseOrThrow(createPullRequestBodySchema, req.body, 'pull request');
    res.json({ pr: await service.pullRequest(contextOf(req, res), id, body) });
  });

  router.post('/sessions/:id/git/update', async (req: Request<IdParams>, res: Response) => {
    const id = idOf(req);
    const body = parseOrThrow(updateFromBaseBodySchema, req.body ?? {}, 'update');
    res.json(await service.updateFromBase(contextOf(req, res), id, body.strategy));
  });

  router.get('/sessions/:id/git/saved-work', (req: Request<IdParams>, res: Response) => {
    res.json(service.savedWork(contextOf(req, res), idOf(req)));
  });

  router.post('/sessions/:id/git/restore-wip', async (req: Request<IdParams>, res: Response) => {
    const id = idOf(req);
    const body = parseOrThrow(restoreWipBodySchema, req.body, 'restore');
    const files = await service.restoreWip(contextOf(req, res), id, body.from);
    res.json({ restored: true, from: body.from, files });
  });

  router.post('/webhooks/github', (req: Request, res: Response) => {
    const ctx = contextOf(req, res);
    // Only the web's webhook endpoint (which checked GitHub's signature) signs as this identity.
    if (ctx.userId !== GITHUB_WEBHOOK_USER_ID) throw new AppError('not_found', 'No such route');
    const forward = parseOrThrow(githubWebhookForwardSchema, req.body, 'webhook');
    res
      .status(202)
      .json(webhooks.handle(forward, { userId: ctx.userId, requestId: ctx.requestId }));
  });

  return router;
}

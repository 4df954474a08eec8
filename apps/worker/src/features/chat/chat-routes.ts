import {
  type ChatEngineStatus,
  type ChatMessage,
  chatPermissionBodySchema,
  chatRequestBodySchema,
  lastEventIdSchema,
  parseOrThrow,
  sessionIdSchema,
} from '@grove/contract';
import { Router, type Request, type Response } from 'express';

import { contextOf } from '../../lib/request-context';
import type { RequestContext } from '../sessions/session-service';
import type { ChatRuns } from './chat-runs';
import type { ChatRunRow } from './chat-store';
import { openSseStream } from './sse';

/** Thin routes: parse with the contract, call the run manager, answer (or stream). */
export function chatRoutes(chat: {
  runs: ChatRuns;
  heartbeatMs: number;
  history: (ctx: RequestContext, sessionId: string) => ChatMessage[];
  engineStatus: () => ChatEngineStatus;
}): Router {
  const router = Router();
  const { runs, heartbeatMs } = chat;

  const stream = (req: Request, res: Response, run: ChatRunRow, after: number) => {
    const sse = openSseStream(req, res, heartbeatMs);
    // Leaving only unsubscribes: the run goes on without this client.
    const unsubscribe = runs.subscribe(run, after, sse);
    sse.onClose(unsubscribe);
  };

  router.post('/chat', (req: Request, res: Response) => {
    const body = parseOrThrow(chatRequestBodySchema, req.body, 'chat message');
    const run = runs.start(contextOf(req, res), body.sessionId, body.message);
    stream(req, res, run, run.first_event_id - 1);
  });

  router.get('/chat/:sessionId/stream', (req: Request<{ sessionId: string }>, res: Response) => {
    const sessionId = parseOrThrow(sessionIdSchema, req.params.sessionId, 'session id');
    const header = req.headers['last-event-id'];
    const lastEventId =
      header === undefined ? undefined : parseOrThrow(lastEventIdSchema, header, 'Last-Event-ID');
    const run = runs.latestRun(contextOf(req, res), sessionId);
    stream(req, res, run, Math.max(lastEventId ?? 0, run.first_event_id - 1));
  });

  router.post(
    '/chat/:sessionId/stop',
    async (req: Request<{ sessionId: string }>, res: Response) => {
      const sessionId = parseOrThrow(sessionIdSchema, req.params.sessionId, 'session id');
      res.json({ stopped: await runs.stop(contextOf(req, res), sessionId) });
    },
  );

  router.post(
    '/chat/:sessionId/permission',
    (req: Request<{ sessionId: string }>, res: Response) => {
      const sessionId = parseOrThrow(sessionIdSchema, req.params.sessionId, 'session id');
      const body = parseOrThrow(chatPermissionBodySchema, req.body, 'permission answer');
      runs.answerPermission(contextOf(req, res), sessionId, body);
      res.json({ ok: true });
    },
  );

  router.get('/sessions/:id/messages', (req: Request<{ id: string }>, res: Response) => {
    const sessionId = parseOrThrow(sessionIdSchema, req.params.id, 'session id');
    // With the engine's state, so the page can say up front that the agent is not set up.
    res.json({
      messages: chat.history(contextOf(req, res), sessionId),
      engine: chat.engineStatus(),
    });
  });

  return router;
}

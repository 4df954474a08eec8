import type { ChatMessage } from '@grove/contract';
import type { Router } from 'express';
import type { Logger } from 'pino';

import type { Db } from '../../db/database';
import type { WorkerConfig } from '../../env';
import type { RequestContext, SessionService } from '../sessions/session-service';
import { buildHistory } from './chat-history';
import { chatRoutes } from './chat-routes';
import { ChatRuns } from './chat-runs';
import { ChatStore } from './chat-store';
import { createClaudeEngine } from './claude-engine';
import type { ChatEngine } from './engine';

export interface ChatFeatureDeps {
  db: Db;
  config: WorkerConfig;
  sessions: SessionService;
  logger: Logger;
  /** Defaults to the real Claude Code; tests and benchmarks may pass another. */
  engine?: ChatEngine | undefined;
}

export interface ChatFeature {
  runs: ChatRuns;
  routes: Router;
  heartbeatMs: number;
  /** Runs closed as interrupted at start (a crash left them running). */
  recovered: number;
  history: (ctx: RequestContext, sessionId: string) => ChatMessage[];
  dispose: () => Promise<void>;
}

/** Agent chat: storage, crash recovery, the run manager, its routes and its teardown hook. */
export function createChatFeature(deps: ChatFeatureDeps): ChatFeature {
  const store = new ChatStore(deps.db);
  const engine = deps.engine ?? createClaudeEngine(deps.config.chat, deps.logger);
  const runs = new ChatRuns({
    store,
    sessions: deps.sessions,
    engine,
    config: deps.config.chat,
    logger: deps.logger,
  });
  const recovered = runs.recover();
  // A session going away takes its run with it (the worktree is about to disappear).
  deps.sessions.onTeardown((session) => runs.stopSession(session.id));
  const history = (ctx: RequestContext, sessionId: string): ChatMessage[] => {
    deps.sessions.store.getOwned(ctx.userId, sessionId);
    return buildHistory(store.runsOf(sessionId), store.eventsOfSession(sessionId));
  };
  const heartbeatMs = deps.config.chat.heartbeatMs;
  return {
    runs,
    heartbeatMs,
    recovered,
    routes: chatRoutes({
      runs,
      heartbeatMs,
      history,
      engineStatus: () => {
        const message = engine.unavailable?.();
        return message === undefined ? { ready: true } : { ready: false, message };
      },
    }),
    history,
    dispose: async () => {
      await runs.dispose();
      await engine.dispose?.();
    },
  };
}

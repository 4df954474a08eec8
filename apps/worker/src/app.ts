import { createServer, type Server } from 'node:http';

import {
  AppError,
  MAX_JSON_BODY_BYTES,
  REQUEST_ID_HEADER,
  type WorkerTokenClaims,
} from '@grove/contract';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

import { openDatabase, type Db } from './db/database';
import type { WorkerConfig } from './env';
import { FileService } from './features/files/file-service';
import { fileRoutes } from './features/files/file-routes';
import { gitRoutes } from './features/git/git-routes';
import { GitService } from './features/git/git-service';
import { GitStore } from './features/git/git-store';
import { WebhookService } from './features/git/webhook-service';
import { createChatFeature } from './features/chat/chat-feature';
import type { ChatEngine } from './features/chat/engine';
import { recoverSessions, type RecoveryReport } from './features/sessions/recovery';
import { RepoMirrors } from './features/sessions/repo-mirrors';
import { sessionRoutes } from './features/sessions/session-routes';
import { SessionService } from './features/sessions/session-service';
import { SessionStore } from './features/sessions/session-store';
import type { SyncSink } from './features/sync/supabase-sink';
import { createSyncFeature, type SyncFeature } from './features/sync/sync-feature';
import { systemRoutes } from './features/system/system-routes';
import { TerminalManager } from './features/terminals/terminal-manager';
import { terminalRoutes } from './features/terminals/terminal-routes';
import { TerminalStore } from './features/terminals/terminal-store';
import { errorHandler, requestIdOf } from './lib/http';
import { KeyedMutex } from './lib/keyed-mutex';
import { createLogger } from './lib/logger';
import { createMetrics, type Metrics } from './lib/metrics';
import {
  assertBodyMatches,
  bodyDigest,
  createReplayGuard,
  secretKey,
  verifyWorkerToken,
} from '@grove/worker-token';
import packageJson from '../package.json' with { type: 'json' };

/** How long a create's Idempotency-Key is remembered, and how often older ones are dropped. */
const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const IDEMPOTENCY_PRUNE_EVERY_MS = 60 * 60 * 1000;
export interface AppDeps {
  config: WorkerConfig;
  logger?: Logger;
  /** The agent engine; the real Claude Code unless a test or benchmark passes another. */
  chatEngine?: ChatEngine;
  /** Sync tuning for tests and benchmarks (a sink replaces Supabase). */
  sync?: { sink?: SyncSink; idlePollMs?: number; batchSize?: number };
}

export interface WorkerApp {
  app: Express;
  /** Not listening yet: `main` (or a test) calls `listen`. */
  server: Server;
  db: Db;
  sessions: SessionService;
  terminals: TerminalManager;
  metrics: Metrics;
  recovery: RecoveryReport;
  sync: SyncFeature;
  /** Waits for in-flight work (up to `timeoutMs`) and closes the database. */
  dispose: (timeoutMs?: number) => Promise<void>;
}

/**
 * Builds the worker: database (migrated), services, start-up recovery and the HTTP app.
 * It does not listen, so tests can mount it on port 0.
 */
export async function createApp(deps: AppDeps): Promise<WorkerApp> {
  const { config } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  const db = openDatabase(config.dataDir);
  const metrics = createMetrics();
  const store = new SessionStore(db);
  const mirrors = new RepoMirrors({ ...config, mutex: new KeyedMutex(), logger });
  const sessions = new SessionService({ ...config, store, mirrors, logger });
  // A create's Idempotency-Key answers retries for a day, then goes.
  const pruneKeys = () => store.pruneIdempotent(IDEMPOTENCY_KEY_TTL_MS);
  pruneKeys();
  const keyPruner = setInterval(pruneKeys, IDEMPOTENCY_PRUNE_EVERY_MS);
  keyPruner.unref();
  const gitStore = new GitStore(db);
  const git = new GitService({ ...config, sessions, mirrors, store: gitStore, logger });
  const webhooks = new WebhookService({ ...config, store: gitStore, logger });
  await git.abortInterruptedUpdates();
  const recovery = await recoverSessions(sessions, mirrors, config.dataDir, logger);
  const terminals = new TerminalManager({
    store: new TerminalStore(db),
    sessions,
    logger,
    ...config.terminal,
    dataDir: config.dataDir,
    allowedOrigins: config.allowedOrigins,
  });
  const chat = createChatFeature({ db, config, sessions, logger, engine: deps.chatEngine });
  const sync = createSyncFeature({
    db,
    metrics,
    logger,
    supabase: config.supabase,
    identity: { id: config.name, name: config.name, version: packageJson.version },
    ...config.sync,
    ...deps.sync,
  });

  const secret = secretKey(config.workerSecret);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = requestIdOf(req as Request);
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  });

  app.use(
    systemRoutes(
      { version: packageJson.version, commit: config.commit, startedAt },
      metrics,
      () => {
        metrics.sessions.reset();
        for (const [status, n] of Object.entries(store.countByStatus()))
          metrics.sessions.set({ status }, n);
        metrics.terminals.set({ kind: 'pty' }, terminals.liveCount);
        metrics.terminals.set({ kind: 'socket' }, terminals.socketCount);
        sync.refreshGauges();
      },
      () => sync.status(),
    ),
  );

  // Everything below requires a request signed by the web, each token used once.
  const usedTokens = createReplayGuard();
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    res.locals.claims = await verifyWorkerToken(
      req.headers.authorization,
      secret,
      // The request target as sent, query included (the token names both).
      { method: req.method, path: req.originalUrl },
      usedTokens,
    );
    next();
  });
  // Larger JSON bodies are refused with 413 (the web applies the same cap). The bytes read
  // must be the ones the token was signed for; a body no parser reads is never used.
  app.use(
    express.json({
      limit: MAX_JSON_BODY_BYTES,
      verify: (_req, res, bytes) => {
        if (bytes.length > 0) (res as Response).locals.bodyDigest = bodyDigest(bytes);
      },
    }),
  );
  app.use((_req: Request, res: Response, next: NextFunction) => {
    assertBodyMatches(
      res.locals.claims as WorkerTokenClaims,
      res.locals.bodyDigest as string | undefined,
    );
    next();
  });
  app.use(sessionRoutes(sessions, metrics));
  app.use(terminalRoutes(terminals));
  app.use(fileRoutes(new FileService(sessions)));
  app.use(gitRoutes(git, webhooks));
  app.use(chat.routes);
  app.use((_req: Request, _res: Response) => {
    throw new AppError('not_found', 'No such route');
  });
  app.use(errorHandler(logger));

  const server = createServer(app);
  // WebSocket upgrades never reach Express: the terminal manager checks Origin and ticket first.
  server.on('upgrade', (req, socket, head) => terminals.handleUpgrade(req, socket, head));
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // long-lived streams (SSE, terminals) must not be cut

  let disposed = false;
  return {
    app,
    server,
    db,
    sessions,
    terminals,
    metrics,
    recovery,
    sync,
    dispose: async (timeoutMs = 30_000) => {
      if (disposed) return;
      disposed = true;
      clearInterval(keyPruner);
      await chat.dispose();
      const drained = await sessions.drain(timeoutMs);
      if (!drained) logger.warn('shutdown timed out with work still in flight');
      await terminals.dispose();
      // Last: the sessions and chat above may still have written outbox entries.
      await sync.dispose();
      db.close();
    },
  };
}

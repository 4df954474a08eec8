import { randomUUID } from 'node:crypto';

import { AppError, isAppError, REQUEST_ID_HEADER } from '@grove/contract';
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from 'pino';

/** A request id: the web's (when it looks sane) or a fresh one; echoed back in the response. */
export function requestIdOf(req: Request): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
}

/**
 * The worker's only error handler: AppError → its status and body; a malformed JSON body → 400;
 * anything else → a 500 that hides the cause (logged with the request id).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let appError: AppError;
    if (isAppError(error)) {
      appError = error;
    } else if (isBodyParserError(error)) {
      appError =
        error.type === 'entity.too.large'
          ? new AppError('payload_too_large', 'Request body is too large')
          : new AppError('bad_request', 'Request body is not valid JSON');
    } else {
      appError = new AppError('internal_error', 'Internal error');
      logger.error({ err: error, reqId: req.id }, 'unhandled error');
    }
    if (appError.status >= 500 && isAppError(error))
      logger.error({ err: error, reqId: req.id }, appError.message);
    if (appError.rateLimit) res.setHeader('Retry-After', String(appError.rateLimit.retryAfter));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(appError.status).json(appError.toBody());
  };
}

function isBodyParserError(error: unknown): error is { type: string; status: number } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'type' in error &&
    'status' in error &&
    typeof (error as { type: unknown }).type === 'string'
  );
}

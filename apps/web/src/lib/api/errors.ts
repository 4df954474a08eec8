import { AppError, isAppError } from '@grove/contract';
import { NextResponse } from 'next/server';
import { ZodError } from 'zod';

/**
 * The web's one error mapper: AppError → its status and contract body; a stray ZodError →
 * 422 with details; anything else → a 500 that hides the cause (which is logged).
 */
export function handleApiError(error: unknown, requestId?: string): NextResponse {
  let appError: AppError;
  if (isAppError(error)) {
    appError = error;
  } else if (error instanceof ZodError) {
    appError = new AppError('validation_failed', 'Invalid request', {
      details: error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
      })),
    });
  } else {
    appError = new AppError('internal_error', 'Internal error');
    // eslint-disable-next-line no-console -- the server log is where a 500's cause belongs
    console.error(
      JSON.stringify({ level: 'error', requestId, msg: 'unhandled error', err: String(error) }),
    );
  }
  // nosniff here as well as in the proxy (proxy.ts), which the chat routes skip.
  const headers = new Headers({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  if (requestId) headers.set('x-request-id', requestId);
  if (appError.rateLimit) headers.set('retry-after', String(appError.rateLimit.retryAfter));
  return NextResponse.json(appError.toBody(), { status: appError.status, headers });
}

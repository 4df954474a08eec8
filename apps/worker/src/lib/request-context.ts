import { AppError, GITHUB_TOKEN_HEADER, type WorkerTokenClaims } from '@grove/contract';
import type { Request, Response } from 'express';

export interface RequestContext {
  userId: string;
  requestId: string;
  githubToken?: string | undefined;
  claims: WorkerTokenClaims;
}

/** The authenticated caller of a request that passed the worker-auth middleware. */
export function contextOf(req: Request, res: Response): RequestContext {
  const claims = res.locals.claims as WorkerTokenClaims | undefined;
  if (!claims) throw new AppError('unauthorized', 'Not authenticated');
  const token = req.headers[GITHUB_TOKEN_HEADER];
  return {
    userId: claims.sub,
    requestId: typeof req.id === 'string' ? req.id : '', // genReqId always sets a string
    githubToken: typeof token === 'string' && token.length > 0 ? token : undefined,
    claims,
  };
}

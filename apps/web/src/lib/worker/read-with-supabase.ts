import 'server-only';

import { relayWorkerResponse } from './worker-client';

export interface MergedRead<T> {
  items: T;
  source: string;
}

/**
 * Supabase mode's reads: the worker and Supabase's synced copy asked in parallel, merged;
 * either one alone answers. The worker's 4xx (another user's resource is 404) is final. When
 * `merge` finds no answer, the worker's own error stands (relayed, or thrown if unreachable).
 */
export async function readWithSupabase<T>(options: {
  requestId: string;
  callWorker: () => Promise<Response>;
  readSynced: () => Promise<T | undefined>;
  parseWorker: (body: unknown) => T;
  merge: (synced: T | undefined, fromWorker: T | undefined) => MergedRead<T> | undefined;
  /** Answer as `{ [key]: items }` with an `x-grove-<key>-source` header. */
  key: string;
}): Promise<Response> {
  const [worker, synced] = await Promise.all([
    options.callWorker().then(
      (response) => response,
      (error: unknown) => error,
    ),
    options.readSynced(),
  ]);
  let fromWorker: T | undefined;
  if (worker instanceof Response && worker.ok) {
    fromWorker = options.parseWorker(await worker.json());
  } else if (worker instanceof Response && worker.status < 500) {
    return relayWorkerResponse(worker, options.requestId);
  }
  const merged = options.merge(synced, fromWorker);
  if (!merged) {
    if (worker instanceof Response) return relayWorkerResponse(worker, options.requestId);
    throw worker;
  }
  return Response.json(
    { [options.key]: merged.items },
    {
      headers: {
        'cache-control': 'no-store',
        'x-request-id': options.requestId,
        [`x-grove-${options.key}-source`]: merged.source,
      },
    },
  );
}

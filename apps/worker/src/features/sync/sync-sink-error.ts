/**
 * Why Supabase did not take a batch. `permanent`: Supabase answered and refused it (a 4xx —
 * a constraint, a value it cannot store), so sending the same entries again cannot succeed.
 * Otherwise (network failure, timeout, 5xx, 408/429) a retry later may.
 */
export class SyncSinkError extends Error {
  readonly permanent: boolean;

  constructor(message: string, permanent: boolean) {
    super(message);
    this.name = 'SyncSinkError';
    this.permanent = permanent;
  }
}

/** 4xx but not "try again later" (408 timeout, 429 rate limit). */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export function isPermanentSyncError(error: unknown): boolean {
  return error instanceof SyncSinkError && error.permanent;
}

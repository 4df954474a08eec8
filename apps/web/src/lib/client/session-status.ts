import type { Session } from '@grove/contract';

/**
 * Whether the session has its worktree to show: not while it is being created (or deleted),
 * nor when its creation failed. Until then the worker answers the panes' requests with 409.
 */
export function hasWorktree(status: Session['status']): boolean {
  return status !== 'creating' && status !== 'failed' && status !== 'deleting';
}

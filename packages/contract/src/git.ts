import { z } from 'zod';

import { branchNameSchema, sessionIdSchema } from './sessions';
import { worktreePathSchema } from './files';

export const GIT_FILE_STATUSES = [
  'added',
  'modified',
  'deleted',
  'renamed',
  'untracked',
  'conflicted',
] as const;

export const gitFileStatusSchema = z.object({
  path: z.string(),
  status: z.enum(GIT_FILE_STATUSES),
});

export const gitStatusResponseSchema = z.object({
  branch: z.string(),
  baseBranch: z.string(),
  /** Commits on the session branch that the base does not have, and the other way round. */
  ahead: z.number().int().nonnegative(),
  behind: z.number().int().nonnegative(),
  /** GitHub reported a push to the base branch since the last update from base. */
  behindBase: z.boolean(),
  files: z.array(gitFileStatusSchema),
});
export type GitStatusResponse = z.infer<typeof gitStatusResponseSchema>;

/** Each file's part of a diff is cut at this size in the whole-diff answer. */
export const DIFF_FILE_CAP_BYTES = 64 * 1024;
/** The whole diff answer stops growing here; the remaining files are listed as truncated. */
export const DIFF_TOTAL_CAP_BYTES = 512 * 1024;
/** One file asked for by `?path=` is served up to this size. */
export const DIFF_SINGLE_FILE_CAP_BYTES = 4 * 1024 * 1024;

export const gitDiffQuerySchema = z.object({ path: worktreePathSchema.min(1).optional() });

export const diffFileSchema = z.object({
  path: z.string(),
  /** True when this file's diff is cut (or left out): ask again with `?path=` for all of it. */
  truncated: z.boolean(),
  bytes: z.number().int().nonnegative(),
});

export const gitDiffResponseSchema = z.object({
  diff: z.string(),
  files: z.array(diffFileSchema),
  truncated: z.boolean(),
});
export type GitDiffResponse = z.infer<typeof gitDiffResponseSchema>;

export const gitCommitBodySchema = z.object({
  message: z.string().trim().min(1, 'message is required').max(10_000),
});
export const gitCommitResponseSchema = z.object({
  commit: z.object({ sha: z.string(), message: z.string() }),
});

export const gitPushResponseSchema = z.object({ pushed: z.literal(true), branch: z.string() });

export const createPullRequestBodySchema = z.object({
  title: z.string().trim().min(1, 'title is required').max(256),
  body: z.string().max(65_536).optional(),
  base: branchNameSchema.optional(),
  draft: z.boolean().optional(),
});
export type CreatePullRequestBody = z.infer<typeof createPullRequestBodySchema>;

export const pullRequestSchema = z.object({
  number: z.number().int().positive(),
  url: z.string(),
  state: z.enum(['open', 'closed', 'merged']),
});
export type PullRequest = z.infer<typeof pullRequestSchema>;
export const pullRequestResponseSchema = z.object({ pr: pullRequestSchema });

export const updateFromBaseBodySchema = z.object({
  strategy: z.enum(['merge', 'rebase']).default('merge'),
});
export const updateFromBaseResponseSchema = z.object({
  updated: z.literal(true),
  strategy: z.enum(['merge', 'rebase']),
  head: z.string(),
  ahead: z.number().int().nonnegative(),
  behind: z.number().int().nonnegative(),
});

export const restoreWipBodySchema = z.object({ from: sessionIdSchema });
export const restoreWipResponseSchema = z.object({
  restored: z.literal(true),
  from: z.string(),
  files: z.array(z.string()),
});

/** Work kept from a deleted session of the same user and repository, restorable into this one. */
export const savedWorkSchema = z.object({
  from: z.string(),
  files: z.array(z.string()),
  createdAt: z.string(),
  restoredAt: z.string().nullable(),
});
export const savedWorkResponseSchema = z.object({ saved: z.array(savedWorkSchema) });
export type SavedWork = z.infer<typeof savedWorkSchema>;
export type SavedWorkResponse = z.infer<typeof savedWorkResponseSchema>;

/** The system identity the web signs webhook forwards with; no user can have it. */
export const GITHUB_WEBHOOK_USER_ID = 'system:github-webhook';

const webhookRepositorySchema = z.object({
  full_name: z.string().min(3).max(200),
});

/** The parts of a GitHub `push` event the worker acts on. */
export const githubPushPayloadSchema = z.object({
  ref: z.string().max(1024),
  after: z.string().max(64).optional(),
  repository: webhookRepositorySchema,
});

/** The parts of a GitHub `pull_request` event the worker acts on. */
export const githubPullRequestPayloadSchema = z.object({
  action: z.string().max(64),
  number: z.number().int().positive(),
  pull_request: z.object({
    html_url: z.string().max(2048),
    merged: z.boolean().nullable().optional(),
    state: z.string().max(32),
  }),
  repository: webhookRepositorySchema,
});

/**
 * What the web forwards to the worker after checking the signature: the delivery id, the
 * event name and only the fields used (GitHub's payloads can be megabytes).
 */
export const githubWebhookForwardSchema = z.discriminatedUnion('event', [
  z.object({
    deliveryId: z.string().min(1).max(100),
    event: z.literal('push'),
    payload: githubPushPayloadSchema,
  }),
  z.object({
    deliveryId: z.string().min(1).max(100),
    event: z.literal('pull_request'),
    payload: githubPullRequestPayloadSchema,
  }),
  z.object({
    deliveryId: z.string().min(1).max(100),
    event: z.literal('other'),
    name: z.string().max(100),
    repository: z.string().max(200).nullable(),
  }),
]);
export type GithubWebhookForward = z.infer<typeof githubWebhookForwardSchema>;

export const githubWebhookResultSchema = z.object({
  duplicate: z.boolean(),
  sessionsUpdated: z.number().int().nonnegative(),
});

export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';
export const GITHUB_EVENT_HEADER = 'x-github-event';
export const GITHUB_DELIVERY_HEADER = 'x-github-delivery';

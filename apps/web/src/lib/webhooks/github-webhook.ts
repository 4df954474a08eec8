import 'server-only';

import { createHmac, timingSafeEqual } from 'node:crypto';

import {
  githubPullRequestPayloadSchema,
  githubPushPayloadSchema,
  type GithubWebhookForward,
} from '@grove/contract';

/**
 * Checks GitHub's `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256 of the raw body>`) in
 * constant time. No secret configured means nothing can be trusted: always false.
 */
export function verifyGitHubSignature(
  secret: string | undefined,
  rawBody: Buffer,
  header: string | null,
): boolean {
  if (!secret || !header) return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
  );
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Trims a verified delivery to the fields the worker uses (payloads can be megabytes). */
export function toWorkerForward(
  deliveryId: string,
  event: string,
  payload: unknown,
): GithubWebhookForward {
  if (event === 'push') {
    const parsed = githubPushPayloadSchema.safeParse(payload);
    if (parsed.success) return { deliveryId, event, payload: parsed.data };
  }
  if (event === 'pull_request') {
    const parsed = githubPullRequestPayloadSchema.safeParse(payload);
    if (parsed.success) return { deliveryId, event, payload: parsed.data };
  }
  const repository = (payload as { repository?: { full_name?: unknown } } | null)?.repository
    ?.full_name;
  return {
    deliveryId,
    event: 'other',
    name: event.slice(0, 100),
    repository: typeof repository === 'string' ? repository.slice(0, 200) : null,
  };
}

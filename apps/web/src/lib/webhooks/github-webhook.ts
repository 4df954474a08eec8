import 'server-only';

import { createHmac, timingSafeEqual } from 'node:crypto';

import {
  githubPullRequestPayloadSchema,
  githubPushPayloadSchema,
  parseOrThrow,
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

/**
 * Trims a verified delivery to the fields the worker uses (payloads can be megabytes). An event
 * Grove acts on (`push`, `pull_request`) whose payload lacks what is used is refused here with
 * `422 validation_failed` naming the fields, before the worker records its delivery id: taken
 * for some other event, it would be accepted without effect and a corrected redelivery with
 * the same id dropped as a duplicate. Other events are forwarded by name only.
 */
export function toWorkerForward(
  deliveryId: string,
  event: string,
  payload: unknown,
): GithubWebhookForward {
  if (event === 'push')
    return {
      deliveryId,
      event,
      payload: parseOrThrow(githubPushPayloadSchema, payload, 'push payload'),
    };
  if (event === 'pull_request')
    return {
      deliveryId,
      event,
      payload: parseOrThrow(githubPullRequestPayloadSchema, payload, 'pull_request payload'),
    };
  const repository = (payload as { repository?: { full_name?: unknown } } | null)?.repository
    ?.full_name;
  return {
    deliveryId,
    event: 'other',
    name: event.slice(0, 100),
    repository: typeof repository === 'string' ? repository.slice(0, 200) : null,
  };
}

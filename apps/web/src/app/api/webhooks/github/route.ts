import { randomUUID } from 'node:crypto';

import {
  AppError,
  GITHUB_DELIVERY_HEADER,
  GITHUB_EVENT_HEADER,
  GITHUB_SIGNATURE_HEADER,
  GITHUB_WEBHOOK_USER_ID,
} from '@grove/contract';
import type { NextRequest } from 'next/server';

import { env } from '@/env';
import { handleApiError } from '@/lib/api/errors';
import { otherMethods } from '@/lib/api/other-methods';
import { readBody } from '@/lib/api/request-body';
import { toWorkerForward, verifyGitHubSignature } from '@/lib/webhooks/github-webhook';
import { callWorker, relayWorkerResponse } from '@/lib/worker/worker-client';

/** GitHub sends at most 25 MB per delivery. */
const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/**
 * GitHub webhooks. No cookie here: the caller is authenticated by the HMAC signature over
 * the raw body, then the delivery is forwarded to the worker under the webhook's system
 * identity. The worker remembers delivery ids, so a redelivery does nothing twice.
 */
export async function POST(req: NextRequest): Promise<Response> {
  const requestId = randomUUID();
  try {
    const raw = await readBody(req, MAX_WEBHOOK_BYTES);
    if (
      !verifyGitHubSignature(
        env().githubWebhookSecret,
        raw,
        req.headers.get(GITHUB_SIGNATURE_HEADER),
      )
    )
      throw new AppError('unauthorized', 'Invalid webhook signature');
    const event = req.headers.get(GITHUB_EVENT_HEADER);
    const deliveryId = req.headers.get(GITHUB_DELIVERY_HEADER);
    if (!event || !deliveryId || deliveryId.length > 100)
      throw new AppError('bad_request', 'Missing X-GitHub-Event or X-GitHub-Delivery');
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AppError('bad_request', 'Webhook body is not JSON');
    }
    const response = await callWorker({
      user: { id: GITHUB_WEBHOOK_USER_ID },
      method: 'POST',
      path: '/webhooks/github',
      requestId,
      json: toWorkerForward(deliveryId, event, payload),
    });
    if (!response.ok) return relayWorkerResponse(response, requestId);
    const result = (await response.json()) as { duplicate: boolean };
    return Response.json(
      { accepted: true, duplicate: result.duplicate },
      { status: 202, headers: { 'cache-control': 'no-store', 'x-request-id': requestId } },
    );
  } catch (error) {
    return handleApiError(error, requestId);
  }
}

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST'], { open: true });

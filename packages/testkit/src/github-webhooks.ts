import { createHmac, randomUUID } from 'node:crypto';

/** `X-Hub-Signature-256` for a webhook body, computed the way GitHub does. */
export function signWebhookBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Headers GitHub sends with a webhook delivery. */
export function webhookHeaders(
  secret: string,
  event: string,
  body: string,
  deliveryId: string = randomUUID(),
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/stand-in',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': signWebhookBody(secret, body),
  };
}

import { createHmac } from 'node:crypto';
import type { QueuedRecord } from './disk-queue';
import type { WebhookDestination } from './http-destination';
import { check, send } from './http-client';
import type { DeliveryContext, Transport } from './transport';

export const SIGNATURE_HEADER = 'X-Glasspane-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs its webhooks: the
 * timestamp inside the MAC lets a receiver refuse a replayed request.
 */
export function signature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** A batch as the webhook receives it: `{"schema":"glasspane.webhook/1","events":[...]}`. */
export function webhookBody(batch: QueuedRecord[]): string {
  return `{"schema":"glasspane.webhook/1","events":[${batch.map((r) => r.body).join(',')}]}`;
}

export class WebhookTransport implements Transport {
  readonly maxBatchRecords = 500;
  readonly maxBatchBytes = 1024 * 1024;

  constructor(private readonly dest: WebhookDestination) {}

  async deliver(batch: QueuedRecord[], ctx: DeliveryContext): Promise<number> {
    const body = webhookBody(batch);
    const res = await send(this.dest.url, {
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Glasspane',
        [SIGNATURE_HEADER]: signature(this.dest.secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
      ca: this.dest.ca,
      signal: ctx.signal,
      timeoutMs: Math.max(1, Math.min(30_000, ctx.deadline - Date.now())),
    });
    check(res, 'webhook');
    return batch.length;
  }
}

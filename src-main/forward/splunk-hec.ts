import { randomUUID } from 'node:crypto';
import type { DiskQueue, QueuedRecord } from './disk-queue';
import type { SplunkDestination } from './http-destination';
import { check, DeliveryError, send } from './http-client';
import type { DeliveryContext, Transport } from './transport';

/** An ack Splunk has not confirmed after this long is taken as lost: the batch is sent again. */
export const ACK_GIVE_UP_MS = 120_000;

interface PendingAck {
  ackId: number;
  lastSeq: number;
  sentAt: number;
}

/**
 * Splunk HTTP Event Collector. Without ack, a 200 from `/services/collector/event` delivers the
 * batch. With ack, every request carries our channel (a UUID kept in the queue so it outlives a
 * restart); the answer's `ackId` is stored beside the batch, and the batch leaves the queue only
 * when `/services/collector/ack` answers it `true`. A pending ack survives a restart and is asked
 * about again before anything is re-sent.
 */
export class SplunkTransport implements Transport {
  readonly maxBatchRecords = 500;
  readonly maxBatchBytes = 1024 * 1024;

  constructor(
    private readonly dest: SplunkDestination,
    private readonly o: { ackPollMs?: number; ackGiveUpMs?: number } = {},
  ) {}

  private headers(queue: DiskQueue): Record<string, string> {
    const h: Record<string, string> = {
      Authorization: `Splunk ${this.dest.token}`,
      'Content-Type': 'application/json',
      'User-Agent': 'Glasspane',
    };
    if (this.dest.ack) {
      let ch = queue.get('splunk.channel');
      if (ch === null) {
        ch = randomUUID();
        queue.set('splunk.channel', ch);
      }
      h['X-Splunk-Request-Channel'] = ch;
    }
    return h;
  }

  private timeout(deadline: number): number {
    return Math.max(1, Math.min(30_000, deadline - Date.now()));
  }

  async deliver(batch: QueuedRecord[], ctx: DeliveryContext): Promise<number> {
    const { queue, deadline } = ctx;
    const raw = queue.get('splunk.pending');
    let pending = raw !== null ? (JSON.parse(raw) as PendingAck) : null;
    if (pending !== null && (!this.dest.ack || pending.lastSeq < batch[0]!.seq)) pending = null;
    if (pending !== null && Date.now() - pending.sentAt > (this.o.ackGiveUpMs ?? ACK_GIVE_UP_MS))
      pending = null;
    if (pending === null) {
      const res = await send(new URL('/services/collector/event', this.dest.base), {
        headers: this.headers(queue),
        body: batch.map((r) => r.body).join(''),
        ca: this.dest.ca,
        signal: ctx.signal,
        timeoutMs: this.timeout(deadline),
      });
      check(res, 'Splunk HEC');
      if (!this.dest.ack) return batch.length;
      const ackId = parseAckId(res.body);
      if (ackId === null)
        throw new DeliveryError(
          'Splunk HEC: acknowledgement is on but the answer has no ackId (is ack enabled on the token?)',
        );
      pending = { ackId, lastSeq: batch[batch.length - 1]!.seq, sentAt: Date.now() };
      queue.set('splunk.pending', JSON.stringify(pending));
    }
    // Ask until Splunk says indexed, or the deadline: the batch stays queued, its ackId with it.
    const inBatch = batch.filter((r) => r.seq <= pending.lastSeq).length;
    for (;;) {
      const res = await send(
        new URL(
          `/services/collector/ack?channel=${this.headers(queue)['X-Splunk-Request-Channel']}`,
          this.dest.base,
        ),
        {
          headers: this.headers(queue),
          body: JSON.stringify({ acks: [pending.ackId] }),
          ca: this.dest.ca,
          signal: ctx.signal,
          timeoutMs: this.timeout(deadline),
        },
      );
      check(res, 'Splunk HEC ack');
      if (parseAcks(res.body)[String(pending.ackId)] === true) {
        queue.set('splunk.pending', null);
        return inBatch;
      }
      const giveUp = this.o.ackGiveUpMs ?? ACK_GIVE_UP_MS;
      if (Date.now() - pending.sentAt > giveUp) {
        // Splunk's advice when an ack never comes: the indexers lost it; send the batch again.
        queue.set('splunk.pending', null);
        throw new DeliveryError(
          `Splunk HEC: ackId ${pending.ackId} not confirmed within ${giveUp / 1000} s; sending again`,
        );
      }
      const wait = this.o.ackPollMs ?? 1000;
      if (Date.now() + wait >= deadline)
        throw new DeliveryError(`Splunk HEC: ackId ${pending.ackId} not yet confirmed by the indexers`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function parseAckId(body: string): number | null {
  try {
    const v = (JSON.parse(body) as { ackId?: unknown }).ackId;
    return typeof v === 'number' && Number.isInteger(v) ? v : null;
  } catch {
    return null;
  }
}

function parseAcks(body: string): Record<string, unknown> {
  try {
    const v = (JSON.parse(body) as { acks?: unknown }).acks;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

import type { SyslogDestination } from './destination';
import type { QueuedRecord } from './disk-queue';
import { DeliveryError } from './http-client';
import { SyslogSender } from './syslog-sender';
import type { Transport } from './transport';

/** Syslog through the disk queue: one connection per batch; what the receiver took leaves the queue. */
export class SyslogTransport implements Transport {
  readonly maxBatchRecords = 1000;
  readonly maxBatchBytes = 4 * 1024 * 1024;

  constructor(private readonly dest: SyslogDestination) {}

  async deliver(batch: QueuedRecord[], ctx: { deadline: number }): Promise<number> {
    const s = new SyslogSender(this.dest, { maxQueue: batch.length });
    for (const r of batch) s.push(r.body);
    // One attempt per call (deadline: now + a connection's worth); the worker owns retries.
    const st = await s.flush(Math.min(ctx.deadline, Date.now() + 10_000));
    if (st.sent === 0) throw new DeliveryError(st.lastError ?? 'syslog receiver did not take the messages');
    return st.sent;
  }
}

import type { SyslogDestination } from './destination';
import type { QueuedRecord } from './disk-queue';
import { sendSyslog } from './syslog-sender';
import type { DeliveryContext, Transport } from './transport';

/** One attempt is cut after this long even before the command's deadline: a stuck receiver frees the worker. */
const ATTEMPT_MS = 10_000;

/** Syslog through the disk queue: one connection per batch; what the receiver took leaves the queue. */
export class SyslogTransport implements Transport {
  readonly maxBatchRecords = 1000;
  readonly maxBatchBytes = 4 * 1024 * 1024;

  constructor(private readonly dest: SyslogDestination) {}

  deliver(batch: QueuedRecord[], ctx: DeliveryContext): Promise<number> {
    // One attempt, cut at the deadline or by the worker's signal; the worker owns the retries.
    return sendSyslog(
      this.dest,
      batch.map((r) => r.body),
      { deadline: Math.min(ctx.deadline, Date.now() + ATTEMPT_MS), signal: ctx.signal },
    );
  }
}

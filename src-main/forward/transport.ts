import type { DiskQueue, QueuedRecord } from './disk-queue';

/** The deadline (moved by finish()), the queue, and a signal that cuts requests at the deadline. */
export interface DeliveryContext {
  readonly deadline: number;
  readonly queue: DiskQueue;
  readonly signal?: AbortSignal;
}

/**
 * How one kind of destination takes a batch. The worker hands it the oldest records (within its
 * limits); `deliver` resolves with how many of them, from the first, the receiver now holds, or
 * throws (a DeliveryError when the receiver said why). It never removes records itself.
 */
export interface Transport {
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  deliver(batch: QueuedRecord[], ctx: DeliveryContext): Promise<number>;
}

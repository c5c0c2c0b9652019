import type { Destination } from './destination';
import type { DiskQueue } from './disk-queue';
import { DeliveryError, describeError } from './http-client';
import type { Transport } from './transport';

export interface BackoffOptions {
  /** First retry after about this long; doubled per failure up to `maxMs`. */
  baseMs?: number;
  maxMs?: number;
}

/**
 * Sends one destination's queue, oldest first, one batch at a time, beside whatever else the
 * process does. A failure keeps the batch and waits (exponential backoff with full jitter, or the
 * receiver's Retry-After if longer) before trying the same batch again, so order holds. It stops
 * when the queue is empty after `finish`, or at the deadline `finish` set: what is left stays on
 * disk for the next run.
 */
export class DeliveryWorker {
  private deadline = Infinity;
  private finishing = false;
  private wake: (() => void) | null = null;
  private done: Promise<void> | null = null;
  private failures = 0;
  /** The deadline as `finish` moves it: a transport waiting on an ack sees the new one. */
  private readonly ctx: { queue: DiskQueue; deadline: number; signal: AbortSignal };
  /** Cuts a request still in flight at the deadline: the command's wait is bounded. */
  private readonly abort = new AbortController();

  constructor(
    readonly dest: Destination,
    readonly queue: DiskQueue,
    private readonly transport: Transport,
    private readonly o: BackoffOptions = {},
  ) {
    this.ctx = { queue, deadline: Infinity, signal: this.abort.signal };
  }

  /** Start sending (what earlier runs left, and what `notify` announces). */
  start(): void {
    this.done ??= this.loop();
  }

  /** New records are queued. */
  notify(): void {
    this.wake?.();
  }

  /** Send what is queued until `deadline` (epoch ms), then stop. */
  async finish(deadline: number): Promise<void> {
    this.finishing = true;
    this.deadline = deadline;
    this.ctx.deadline = deadline;
    this.start();
    this.wake?.();
    const cut = setTimeout(() => this.abort.abort(), Math.max(0, deadline - Date.now()));
    try {
      await this.done;
    } finally {
      clearTimeout(cut);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      // Before finish() nothing awaits the worker: its waits must not hold the process open.
      if (!this.finishing) t.unref();
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  private backoffMs(): number {
    const base = this.o.baseMs ?? 500;
    const cap = Math.min(this.o.maxMs ?? 60_000, base * 2 ** Math.min(this.failures - 1, 20));
    // Full jitter: many sensors that lost the same SIEM do not come back at the same instant.
    return cap / 2 + Math.random() * (cap / 2);
  }

  private async loop(): Promise<void> {
    while (Date.now() < this.deadline) {
      const t = this.transport;
      const batch = this.queue.peek(t.maxBatchRecords, t.maxBatchBytes);
      if (batch.length === 0) {
        if (this.finishing) return;
        await this.sleep(Math.min(1000, this.deadline - Date.now()));
        continue;
      }
      let wait = 0;
      try {
        const n = await t.deliver(batch, this.ctx);
        if (n > 0) this.queue.delivered(batch[n - 1]!.seq);
        this.failures = 0;
        continue;
      } catch (e) {
        // Our own deadline cut this attempt short. After a failure of the destination's own (a refused
        // connection), that says nothing new: the real reason stays the last error.
        if (this.abort.signal.aborted && this.failures > 0) return;
        this.failures++;
        this.queue.failed(describeError(e));
        wait = Math.max(this.backoffMs(), e instanceof DeliveryError ? (e.retryAfterMs ?? 0) : 0);
      }
      // A wait the receiver asked for is not cut short by new records, only by the deadline.
      const until = Date.now() + wait;
      while (Date.now() < until) {
        if (until >= this.deadline) return;
        await this.sleep(until - Date.now());
      }
    }
  }
}

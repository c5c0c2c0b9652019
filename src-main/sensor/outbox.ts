/**
 * The sensor's outbox: every message is written to a disk queue first (the SIEM forwarder's
 * DiskQueue: SQLite, bounded in bytes, oldest dropped and counted past the bound, nothing lost to a
 * kill -9) and leaves it only when JetStream acknowledged it. While the broker is away the sensor
 * keeps analysing and the queue grows; when it returns, the queue goes out in order. Each message
 * carries its Nats-Msg-Id, so what a crash or a lost ack makes us send twice is stored once.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { DiskQueue, type QueueStats } from '../forward/disk-queue';

export interface OutMessage {
  subject: string;
  msgId: string;
  data: string;
}

/** Messages sent per round: published together, acknowledged together. */
const ROUND = 256;
const ROUND_BYTES = 8 << 20;
const RETRY_MS = 1000;

export class Outbox {
  private js: JetStreamClient | null = null;
  private nc: NatsConnection | null = null;
  /** Messages larger than the broker takes (max_payload): dropped, counted, never retried for ever. */
  oversize = 0;
  private connected = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  /** Messages the broker stored during this run, and those it had already (duplicates). */
  published = 0;
  duplicates = 0;
  lastError: string | null = null;
  /** Set when the broker refuses a message for good (no stream, no permission): the caller decides. */
  onRefused: (why: string) => void = () => {};
  onOversize: (bytes: number, max: number) => void = () => {};

  constructor(readonly queue: DiskQueue) {}

  /** Queue messages (durably, before this returns) and nudge the sender. */
  push(messages: OutMessage[]): void {
    if (messages.length === 0) return;
    this.queue.push(messages.map((m) => ({ eventId: m.msgId, body: `${m.subject}\n${m.data}` })));
    this.nudge();
  }

  /** Start sending on a connection (again after an outage at start); its status drives the pauses. */
  attach(nc: NatsConnection): void {
    this.nc = nc;
    this.js = jetstream(nc, { timeout: 5000 });
    this.connected = true;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.connected = false;
        if (s.type === 'reconnect') {
          this.connected = true;
          this.nudge();
        }
      }
    })();
    this.nudge();
  }

  start(): void {
    this.running ??= this.loop();
  }

  stats(): QueueStats {
    return this.queue.stats();
  }

  get pending(): number {
    return this.queue.size();
  }

  /** Wait until the queue is empty, or `timeoutMs` passed; true when everything was acknowledged. */
  async drained(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.queue.size() > 0 && Date.now() < end) await sleep(50);
    return this.queue.size() === 0;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.nudge();
    await this.running;
  }

  private nudge(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private idle(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const batch = this.js !== null && this.connected ? this.queue.peek(ROUND, ROUND_BYTES) : [];
      if (batch.length === 0) {
        await this.idle(this.js === null || !this.connected ? RETRY_MS : 60_000);
        continue;
      }
      // A message the broker would refuse for its size would block the queue behind it for ever.
      const max = (this.nc?.info?.max_payload ?? 1 << 20) - 1024;
      const big = batch.findIndex((r) => r.bytes > max);
      if (big === 0) {
        this.queue.delivered(batch[0]!.seq);
        this.oversize++;
        this.onOversize(batch[0]!.bytes, max);
        continue;
      }
      if (big > 0) batch.length = big;
      const js = this.js!;
      // One connection keeps publish order, so the round goes out at once and is stored in order.
      const acks = await Promise.allSettled(
        batch.map((r) => {
          const nl = r.body.indexOf('\n');
          return js.publish(r.body.slice(0, nl), r.body.slice(nl + 1), { msgID: r.eventId, timeout: 5000 });
        }),
      );
      let upTo = -1;
      let failure: unknown = null;
      for (let i = 0; i < acks.length; i++) {
        const a = acks[i]!;
        if (a.status === 'rejected') {
          failure = a.reason;
          break;
        }
        upTo = batch[i]!.seq;
        if (a.value.duplicate) this.duplicates++;
        else this.published++;
      }
      if (upTo >= 0) this.queue.delivered(upTo);
      if (failure !== null) {
        const why = failure instanceof Error ? failure.message : String(failure);
        this.lastError = why;
        this.queue.failed(why);
        // No stream for the subject, or no permission: waiting will not help, the caller says so.
        if (/no responders|permission/i.test(why)) this.onRefused(why);
        await this.idle(RETRY_MS);
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

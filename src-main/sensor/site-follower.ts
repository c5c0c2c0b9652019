/**
 * The live console's hold on one site's stream: every message from a given sequence on, for as long
 * as the console runs, each checked as hostile input (site-reader's acceptMessage).
 *
 * An ordered consumer, not a durable one: it needs no right to create named consumers (the
 * read-only console account of docs/sensors.md is enough, as for `glasspane inventory --nats`), it
 * leaves nothing behind on the broker, two consoles never share (or fight over) one, and the client
 * recreates it from the last sequence delivered after a broker restart or a missed heartbeat. The
 * console keeps its own position instead: the last sequence taken per site, in its store with --db.
 *
 * A position means something only in the stream it was taken from: a stream deleted and created
 * again starts its sequences at 1. So each (re)start asks the broker when the stream was created and
 * lets the sink say where to start (from 1, dropping what the old stream said, when it is another
 * stream), and every `checkMs` the follower looks again, since the client may recreate its consumer
 * on a new stream by itself.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { SensorMessage } from '../../shared/sensor/messages';
import { streamName } from '../../shared/sensor/subjects';
import { acceptMessage, manager } from './site-reader';

export interface FollowSink {
  /** A checked message, at its sequence, stored by the broker at `storedAt` (ms, the broker's clock). */
  take(site: string, seq: number, m: SensorMessage, storedAt: number): void;
  refuse(site: string, seq: number): void;
  log(message: string): void;
  /**
   * The site's stream as the broker describes it when following (re)starts or its creation time
   * changed: returns the sequence to follow it from.
   */
  stream(site: string, created: string, lastSeq: number): number;
}

const RETRY_MS = 2000;

export class SiteFollower {
  private stopped = false;
  private msgs: ConsumerMessages | null = null;
  private wake: (() => void) | null = null;
  /** The next sequence wanted (the sink says where to start). */
  private from = 1;
  /** The stream's creation time when following started; a consumer's messages count only while it holds. */
  private created: string | null = null;
  private gen = 0;
  private readonly checker: NodeJS.Timeout;
  readonly done: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    readonly site: string,
    private readonly sink: FollowSink,
    checkMs = 10_000,
  ) {
    this.done = this.run();
    this.checker = setInterval(() => void this.check(), checkMs);
    this.checker.unref();
  }

  /** The stream created again while followed: the consumer goes, and following starts over. */
  private async check(): Promise<void> {
    if (this.created === null || this.msgs === null) return;
    let created: string;
    try {
      created = (await (await manager(this.nc)).streams.info(streamName(this.site))).created;
    } catch {
      return;
    }
    if (created === this.created || this.msgs === null) return;
    this.gen++;
    this.created = null;
    await this.msgs.close().catch(() => {});
  }

  private async run(): Promise<void> {
    const name = streamName(this.site);
    let said = '';
    while (!this.stopped) {
      const gen = this.gen;
      try {
        const info = await (await manager(this.nc)).streams.info(name);
        this.from = this.sink.stream(this.site, info.created, info.state.last_seq);
        this.created = info.created;
        const c = await jetstream(this.nc, { timeout: 10_000 }).consumers.get(name, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.from,
        });
        this.msgs = await c.consume({ max_messages: 512 });
        if (said !== '') this.sink.log(`following stream ${name} again`);
        said = '';
        for await (const m of this.msgs) {
          // The stream was replaced: its messages are read again from its start.
          if (gen !== this.gen) break;
          // The first message may be past `from`: what lay between aged out of the stream (max age).
          if (m.seq > this.from && said === '' && this.from > 1)
            this.sink.log(
              `stream ${name} no longer holds messages ${this.from} to ${m.seq - 1} (past its max age): what they said is missing from this console`,
            );
          this.from = m.seq + 1;
          const ok = acceptMessage(this.site, m);
          if (ok === null) this.sink.refuse(this.site, m.seq);
          else this.sink.take(this.site, m.seq, ok, m.time.getTime());
        }
      } catch (e) {
        if (this.stopped) break;
        const why = `cannot follow stream ${name} (${(e as Error).message}); retrying`;
        if (why !== said) this.sink.log(why);
        said = why;
      }
      this.msgs = null;
      if (!this.stopped && gen === this.gen)
        await new Promise<void>((r) => ((this.wake = r), setTimeout(r, RETRY_MS)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.checker);
    this.wake?.();
    await this.msgs?.close();
    await this.done;
  }
}

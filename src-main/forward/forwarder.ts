import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { severityRank } from '../../shared/alerts/severity';
import type { ForwardEvent, Origin } from '../../shared/forward/events';
import { toCef } from '../../shared/forward/cef';
import { toHecEvent } from '../../shared/forward/hec';
import { toLeef } from '../../shared/forward/leef';
import { toIngestionRow } from '../../shared/forward/logs-ingestion';
import { toJsonBody, toSyslog } from '../../shared/forward/syslog5424';
import type { Destination } from './destination';
import { DeliveryWorker, type BackoffOptions } from './delivery';
import { DiskQueue, type QueueStats } from './disk-queue';
import { SentinelTransport } from './sentinel';
import { SplunkTransport } from './splunk-hec';
import { SyslogTransport } from './syslog-transport';
import type { Transport } from './transport';
import { WebhookTransport } from './webhook';

/**
 * A destination's queue folder under the data folder: `forward/<scheme>-<host>-<port>-<hash>`, the
 * hash over the whole URI so that two destinations on one host (two formats, two streams) keep
 * their own queues, and the same URI finds its queue again on the next run.
 */
export function queueDir(dataDir: string, uri: string): string {
  const u = new URL(uri);
  const slug = `${u.protocol.replace(/:$/, '')}-${u.hostname}-${u.port || 'default'}`.replace(
    /[^\w.+-]/g,
    '_',
  );
  return join(dataDir, 'forward', `${slug}-${createHash('sha256').update(uri).digest('hex').slice(0, 12)}`);
}

export function transportFor(d: Destination): Transport {
  switch (d.type) {
    case 'syslog':
      return new SyslogTransport(d);
    case 'webhook':
      return new WebhookTransport(d);
    case 'splunk':
      return new SplunkTransport(d);
    case 'sentinel':
      return new SentinelTransport(d);
  }
}

/** One event as the destination takes it; `truncated`: fields cut to the destination's limits. */
export function recordFor(
  d: Destination,
  e: ForwardEvent,
  origin: Origin,
): { body: string; truncated: number } {
  switch (d.type) {
    case 'syslog': {
      const body =
        d.format === 'cef' ? toCef(e, origin) : d.format === 'leef' ? toLeef(e, origin) : toJsonBody(e);
      return { body: toSyslog(e, origin, body, { procId: process.pid }), truncated: 0 };
    }
    case 'webhook':
      return { body: JSON.stringify(e), truncated: 0 };
    case 'splunk':
      return { body: toHecEvent(e, origin, d), truncated: 0 };
    case 'sentinel': {
      const r = toIngestionRow(e, origin);
      return { body: r.row, truncated: r.truncated };
    }
  }
}

export interface ForwarderOptions extends BackoffOptions {
  /** Bytes each destination's queue holds at most. */
  maxQueueBytes?: number;
  /** Transports to use instead of the real ones. */
  transport?: (d: Destination) => Transport;
}

export interface DestinationReport {
  dest: Destination;
  /** The queue's folder. */
  dir: string;
  /** This run: records the destination confirmed (earlier runs' leftovers included), and dropped. */
  sentNow: number;
  droppedNow: number;
  /** This run: events queued, and fields truncated to the destination's limits. */
  queuedNow: number;
  truncated: number;
  /** False when another Glasspane process was sending this queue: this run only added to it. */
  sending: boolean;
  stats: QueueStats;
}

/**
 * Every `--forward` destination of a run, each with its disk queue and its worker. Sending starts
 * at once (what earlier runs left) and runs beside the analysis; `send` only appends to the queues.
 */
export class Forwarder {
  private readonly parts: {
    dest: Destination;
    worker: DeliveryWorker;
    sending: boolean;
    queued: number;
    truncated: number;
    before: QueueStats;
  }[];

  constructor(
    dests: Destination[],
    private readonly origin: Origin,
    private readonly dataDir: string,
    o: ForwarderOptions = {},
  ) {
    this.parts = dests.map((dest) => {
      const queue = DiskQueue.open(queueDir(dataDir, dest.uri), dest.uri, o.maxQueueBytes);
      const worker = new DeliveryWorker(dest, queue, (o.transport ?? transportFor)(dest), o);
      return { dest, worker, sending: queue.claim(), queued: 0, truncated: 0, before: queue.stats() };
    });
  }

  start(): void {
    for (const p of this.parts) if (p.sending) p.worker.start();
  }

  send(events: Iterable<ForwardEvent>): void {
    const batches = this.parts.map(() => [] as { eventId: string; body: string }[]);
    for (const e of events)
      this.parts.forEach((p, i) => {
        const d = p.dest;
        if (!d.kinds.has(e.kind) || severityRank(e.severity) < severityRank(d.minSeverity)) return;
        // A silence goes to the destinations that asked for that threshold.
        if (e.notSeen !== undefined && Math.round((d.notSeenMs ?? 0) / 1000) !== e.notSeen.afterSeconds)
          return;
        const r = recordFor(d, e, this.origin);
        p.truncated += r.truncated;
        batches[i]!.push({ eventId: e.id, body: r.body });
      });
    this.parts.forEach((p, i) => {
      p.worker.queue.push(batches[i]!);
      p.queued += batches[i]!.length;
      p.worker.notify();
    });
  }

  /** Deliver what is queued, all destinations at once, until the deadline; then close the queues. */
  async finish(timeoutMs: number): Promise<DestinationReport[]> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(this.parts.map((p) => (p.sending ? p.worker.finish(deadline) : undefined)));
    return this.parts.map((p) => {
      const q = p.worker.queue;
      const stats = q.stats();
      q.release();
      q.close();
      return {
        dest: p.dest,
        dir: queueDir(this.dataDir, p.dest.uri),
        queuedNow: p.queued,
        sentNow: stats.sent - p.before.sent,
        droppedNow: stats.dropped - p.before.dropped,
        truncated: p.truncated,
        sending: p.sending,
        stats,
      };
    });
  }
}

/**
 * What a sensor sends, built from its analyzer: partial-inventory deltas (only devices and edges that
 * changed, each with its cumulative state for this run), alerts as the alert engine raises them, and
 * health. Everything goes through the outbox, numbered per kind so a replay gets the same ids.
 */
import type { Analyzer } from '../../shared/engine/analyzer';
import type { PartialMarker, PartialSource } from '../../shared/inventory/partial-types';
import type { AlertJson } from '../../shared/model/alert';
import { isEmptyPartial, splitPartial } from '../../shared/sensor/chunk';
import {
  messageId,
  SENSOR_MESSAGE_VERSION,
  type HealthMessage,
  type SensorMessage,
} from '../../shared/sensor/messages';
import { subjectOf } from '../../shared/sensor/subjects';
import { Recorder } from '../store/recorder';
import { partialDelta } from './partial-feed';
import type { Outbox } from './outbox';

export interface SensorIdentity {
  site: string;
  sensor: string;
  run: string;
  /** The layer-2 domain the sensor's MACs belong to (the site's name by default). */
  l2domain?: string;
}

/** Counters the host reads for health: frames received and analysed, drops, since the run started. */
export interface CaptureCounters {
  mode: 'live' | 'read';
  interfaces: string[];
  packets(): number;
  analysed(): number;
  drops(): number;
}

export class SensorPublisher {
  private readonly n = { delta: 0, alert: 0, health: 0 };
  private marker: PartialMarker | undefined;
  /** The one recording loop (no store): its listeners get each batch's devices and alerts (forwarding). */
  readonly recorder: Recorder;
  private readonly startedAt = Date.now();
  private lastHealth = { at: Date.now(), packets: 0, drops: 0 };
  /** Messages handed to the outbox this run, by kind. */
  readonly sent = { delta: 0, alert: 0, health: 0 };

  constructor(
    private readonly a: Analyzer,
    private readonly id: SensorIdentity,
    private readonly outbox: Outbox,
    private readonly counters: CaptureCounters,
    o: { learnMs?: number } = {},
  ) {
    // Alerts come from the one recording loop every host runs (no store: the broker keeps them).
    this.recorder = new Recorder(a, null, { learnMs: o.learnMs, identity: false });
  }

  private source(): PartialSource {
    return { site: this.id.site, sensor: this.id.sensor, run: this.id.run };
  }

  private send(msgs: SensorMessage[]): void {
    this.outbox.push(
      msgs.map((m) => ({
        subject: subjectOf(m.site, m.sensor, m.kind),
        msgId: messageId(m),
        data: JSON.stringify(m),
      })),
    );
    for (const m of msgs) this.sent[m.kind]++;
  }

  private envelope<K extends SensorMessage['kind']>(kind: K) {
    return {
      v: SENSOR_MESSAGE_VERSION,
      kind,
      site: this.id.site,
      sensor: this.id.sensor,
      run: this.id.run,
      n: ++this.n[kind],
    } as const;
  }

  /** Send what changed since the last call (devices, edges, alerts); returns the messages queued. */
  flush(): number {
    const before = this.sent.delta + this.sent.alert;
    const d = partialDelta(this.a, this.source(), this.id.l2domain, this.marker);
    this.marker = d.marker;
    if (!isEmptyPartial(d.partial))
      this.send(splitPartial(d.partial).map((partial) => ({ ...this.envelope('delta'), partial })));
    const raised: AlertJson[] = this.recorder.tick()?.alerts ?? [];
    this.send(raised.map((alert) => ({ ...this.envelope('alert'), alert })));
    return this.sent.delta + this.sent.alert - before;
  }

  /** A health message: counters, rates over the time since the last one, the outbox. */
  health(final = false): HealthMessage {
    const now = Date.now();
    const packets = this.counters.packets();
    const drops = this.counters.drops();
    const dt = Math.max(1, now - this.lastHealth.at) / 1000;
    const dp = packets - this.lastHealth.packets;
    const dd = drops - this.lastHealth.drops;
    this.lastHealth = { at: now, packets, drops };
    const q = this.outbox.stats();
    const m: HealthMessage = {
      ...this.envelope('health'),
      version: process.env.GLASSPANE_VERSION ?? '0.1.0',
      mode: this.counters.mode,
      clock: new Date(now).toISOString(),
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeS: Math.round((now - this.startedAt) / 1000),
      interfaces: this.counters.interfaces,
      packets,
      analysed: this.counters.analysed(),
      drops,
      packetRate: Math.round(dp / dt),
      dropRate: dp + dd > 0 ? Math.max(0, dd) / (dp + Math.max(0, dd)) : 0,
      devices: this.a.inventory.size,
      queued: q.queued,
      queuedBytes: q.queuedBytes,
      bufferDropped: q.dropped + this.outbox.oversize,
      ...(final ? { final: true } : {}),
    };
    this.send([m]);
    return m;
  }
}

/**
 * The events of a long-running host (serve, the sensor, the app's Forwarding settings), from the
 * batches its Recorder records: a device not yet forwarded in this run is `discovered`, one whose tracked attributes moved
 * is `changed`, each alert is an `alert`; and on the host's clock, silences and periodic snapshots.
 * It holds one device view per device (no evidence): as bounded as the inventory itself.
 */
import type { AlertJson } from '../model/alert';
import type { DeviceJson } from '../model/inventory';
import {
  alertEvent,
  deviceChanged,
  deviceDiscovered,
  deviceNotSeen,
  snapshotEvents,
  type ForwardEvent,
  type Origin,
} from './events';
import { Every, NotSeenWatch } from './watch';

/** What a batch brings (the Recorder's RecordedBatch and the engine's deltas both have this shape). */
export interface LiveBatch {
  upserts: readonly DeviceJson[];
  alerts: readonly AlertJson[];
}

export interface LiveEventOptions {
  origin: Origin;
  /** Silences to report (ms), one per distinct threshold of the destinations. */
  notSeenMs?: number[];
  snapshotEveryMs?: number;
  /** Now, on the host's clock: capture time for a file run, the wall clock for a live one. */
  clock: (latestCapture: number) => number;
}

export class LiveEvents {
  private readonly known = new Map<string, DeviceJson>();
  private watches: NotSeenWatch[];
  private snapshots: Every | null;
  /** The latest capture time any device was seen at: a file run's clock. */
  private latest = -Infinity;
  private nextCheck = -Infinity;

  constructor(private readonly o: LiveEventOptions) {
    this.watches = this.newWatches();
    this.snapshots = this.newEvery();
  }

  private newWatches(): NotSeenWatch[] {
    return [...new Set(this.o.notSeenMs ?? [])].map((t) => new NotSeenWatch(t));
  }

  private newEvery(): Every | null {
    return this.o.snapshotEveryMs !== undefined ? new Every(this.o.snapshotEveryMs) : null;
  }

  /** A new run (another capture): what the host shows starts again, and so do the clocks. */
  reset(): void {
    this.known.clear();
    this.watches = this.newWatches();
    this.snapshots = this.newEvery();
    this.latest = -Infinity;
    this.nextCheck = -Infinity;
  }

  /**
   * Devices an earlier run of this host already forwarded (the merged console's checkpoint): known
   * without an event, and the silences and snapshot period as that run left them at their clock.
   */
  forwardedBefore(devices: readonly DeviceJson[]): void {
    for (const d of devices) {
      this.known.set(d.id, d);
      const t = Date.parse(d.lastSeen);
      if (t > this.latest) this.latest = t;
    }
    this.nextCheck = -Infinity;
    this.tick();
  }

  /** A device's id changed (the merged console qualifies ids): the same device, not a new one. */
  rename(from: string, to: string): void {
    const d = this.known.get(from);
    if (d === undefined || this.known.has(to)) return;
    this.known.delete(from);
    this.known.set(to, { ...d, id: to });
    for (const w of this.watches) w.rename(from, to);
  }

  /** Alerts whose devices the host found itself (the merged console: by site and the sensor's id). */
  alerts(list: readonly { alert: AlertJson; device: DeviceJson | null }[]): ForwardEvent[] {
    return list.map(({ alert, device }) => alertEvent(alert, device, this.o.origin));
  }

  /** Events of one recorded batch: devices discovered or changed, then its alerts. */
  batch(b: LiveBatch): ForwardEvent[] {
    const out: ForwardEvent[] = [];
    // The snapshot period runs from the run's first sighting: a file read in one batch still
    // crosses its boundaries.
    if (this.latest === -Infinity && b.upserts.length > 0) {
      let first = Infinity;
      for (const d of b.upserts) first = Math.min(first, Date.parse(d.firstSeen));
      this.snapshots?.due(first);
    }
    let oldest = Infinity;
    for (const d of b.upserts) {
      const t = Date.parse(d.lastSeen);
      if (t > this.latest) this.latest = t;
      const old = this.known.get(d.id);
      this.known.set(d.id, d);
      if (old === undefined) {
        out.push(deviceDiscovered(d, this.o.origin));
        if (t < oldest) oldest = t;
      } else {
        const c = deviceChanged(old, d, this.o.origin);
        if (c !== null) out.push(c);
      }
    }
    for (const a of b.alerts)
      out.push(alertEvent(a, this.known.get(a.deviceId ?? '') ?? null, this.o.origin));
    // A device that arrives already silent (the merged console's clock is the streams' latest
    // sighting, which another sensor's capture may be far past) is looked at on the next tick.
    if (this.watches.length > 0 && oldest < Infinity) {
      const shortest = Math.min(...this.watches.map((w) => w.afterMs));
      if (this.o.clock(this.latest) - oldest >= shortest) this.nextCheck = -Infinity;
    }
    return out;
  }

  /** Silences and the snapshot due now. */
  tick(): ForwardEvent[] {
    const now = this.o.clock(this.latest);
    if (!Number.isFinite(now)) return [];
    const out: ForwardEvent[] = [];
    const at = this.snapshots?.due(now) ?? null;
    if (at !== null && this.known.size > 0)
      out.push(...snapshotEvents([...this.known.values()], new Date(at).toISOString(), this.o.origin));
    if (this.watches.length === 0 || now < this.nextCheck) return out;
    const shortest = Math.min(...this.watches.map((w) => w.afterMs));
    this.nextCheck = now + Math.max(1000, Math.min(60_000, shortest / 4));
    const sightings = [...this.known.values()].map((d) => ({ id: d.id, lastSeen: Date.parse(d.lastSeen) }));
    for (const w of this.watches)
      for (const id of w.due(now, sightings))
        out.push(deviceNotSeen(this.known.get(id)!, w.afterMs, this.o.origin));
    return out;
  }
}

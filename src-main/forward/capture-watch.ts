import type { Analyzer } from '../../shared/engine/analyzer';
import { deviceNotSeen, snapshotEvents, type ForwardEvent, type Origin } from '../../shared/forward/events';
import { Every, NotSeenWatch, type Sighting } from '../../shared/forward/watch';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';

export interface WatchOptions {
  /** Silences to report (ms), one per distinct threshold of the destinations. */
  notSeenMs: number[];
  /** A full snapshot every this long (ms). */
  snapshotEveryMs?: number;
}

/** How often silences are looked for, at most (capture time): a quarter of the shortest, within a minute. */
function checkEvery(thresholds: number[]): number {
  return Math.max(1000, Math.min(60_000, ...thresholds.map((t) => t / 4)));
}

/**
 * `analyze`'s clocked events: silences and periodic snapshots on the capture's own clock (the time
 * of each observation as the analyzer makes it), so a replay of a file gives the same events and
 * ids. `finish` looks once more at the end, on the inventory the command prints, with the capture's
 * end (file) or the wall clock (live) as now.
 */
export class CaptureWatch {
  private readonly events: ForwardEvent[] = [];
  private readonly watches: NotSeenWatch[];
  private readonly snapshots: Every | null;
  private nextCheck = -Infinity;
  private readonly every: number;

  constructor(
    private readonly a: Analyzer,
    o: WatchOptions,
    private readonly origin: Origin,
  ) {
    this.watches = [...new Set(o.notSeenMs)].map((t) => new NotSeenWatch(t));
    this.snapshots = o.snapshotEveryMs !== undefined ? new Every(o.snapshotEveryMs) : null;
    this.every = checkEvery(o.notSeenMs);
    if (this.watches.length > 0 || this.snapshots !== null) a.observers.push((ob) => this.tick(ob.ts));
  }

  private tick(now: number): void {
    const at = this.snapshots?.due(now) ?? null;
    if (at !== null) {
      const devices = [...this.a.snapshotParts().devices];
      this.events.push(...snapshotEvents(devices, new Date(at).toISOString(), this.origin));
    }
    if (this.watches.length === 0 || now < this.nextCheck) return;
    this.nextCheck = now + this.every;
    for (const w of this.watches)
      for (const id of w.due(now, this.sightings())) {
        const d = this.a.inventory.byId(id);
        if (d !== undefined)
          this.events.push(deviceNotSeen(this.a.deviceJson(d, false), w.afterMs, this.origin));
      }
  }

  private *sightings(): Iterable<Sighting> {
    for (const d of this.a.inventory.devices()) if (!d.aggregate) yield { id: d.id, lastSeen: d.last };
  }

  /** The events raised during the run and the silences still standing at its end. */
  finish(inv: InventoryJson, now: number): ForwardEvent[] {
    const byId = new Map(inv.devices.map((d) => [d.id, d]));
    const sightings = inv.devices.map((d) => ({ id: d.id, lastSeen: Date.parse(d.lastSeen) }));
    for (const w of this.watches)
      for (const id of w.due(now, sightings))
        this.events.push(deviceNotSeen(byId.get(id) as DeviceJson, w.afterMs, this.origin));
    return this.events;
  }
}

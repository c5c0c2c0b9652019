import type { PeerIndex } from '../classify';
import type { AlertJson } from '../model/alert';
import type { DeviceJson, EdgeJson, InventoryJson, InventoryStats } from '../model/inventory';
import type { Device, Inventory } from './inventory';

/**
 * What the stream reads: the inventory and the engine's views of it (the engine's Analyzer is one).
 * Passed in rather than imported, so the inventory does not depend on the engine built on it.
 */
export interface ChangeSource {
  readonly inventory: Inventory;
  peers(): PeerIndex | undefined;
  deviceJson(d: Device, evidence: boolean, peers?: PeerIndex, identity?: boolean): DeviceJson;
  stats(): InventoryStats;
  snapshot(): InventoryJson;
}

/** One batch of the change stream: what changed since the batch before, in order of `seq`. */
export interface DeltaBatch {
  seq: number;
  at: string;
  upserts: DeviceJson[];
  removed: string[];
  edges: EdgeJson[];
  edgesRemoved: { a: string; b: string }[];
  alerts: AlertJson[];
  stats: InventoryStats;
}

/** What a consumer gets when it asks to catch up: a snapshot when it fell too far behind, then deltas. */
export interface CatchUp {
  snapshot: InventoryJson | null;
  /** The sequence number the snapshot stands at (deltas after it follow). */
  snapshotSeq: number;
  batches: DeltaBatch[];
}

/**
 * The change stream the hosts forward to UIs and sensors: devices and edges touched since the last
 * collection, removals and alerts, numbered. Hosts call collect() on a timer (every 100 to 250 ms);
 * the last `keep` batches are held so that a consumer that missed a few can replay them, and one
 * that missed more gets a snapshot first.
 */
export class ChangeStream {
  seq = 0;
  private readonly history: DeltaBatch[] = [];
  private removed: string[] = [];
  private edgesRemoved: { a: string; b: string }[] = [];
  private alerts: AlertJson[] = [];

  constructor(
    private readonly source: ChangeSource,
    private readonly keep = 64,
  ) {}

  removeDevice(id: string): void {
    this.removed.push(id);
  }

  removeEdge(a: string, b: string): void {
    this.edgesRemoved.push({ a, b });
  }

  alert(a: AlertJson): void {
    this.alerts.push(a);
  }

  /**
   * Build the next batch from everything changed since the last one; null when nothing changed.
   * Devices carry their identity section only when asked (a store keeps it; live deltas stay small).
   */
  collect(evidence = false, identity = evidence): DeltaBatch | null {
    const inv = this.source.inventory;
    if (inv.removedEdges.length > 0) {
      for (const r of inv.removedEdges) this.edgesRemoved.push(r);
      inv.removedEdges.length = 0;
    }
    if (
      inv.changedDevices.length === 0 &&
      inv.changedEdges.length === 0 &&
      this.removed.length === 0 &&
      this.edgesRemoved.length === 0 &&
      this.alerts.length === 0
    ) {
      return null;
    }
    const upserts: DeviceJson[] = [];
    const peers = inv.changedDevices.length > 0 ? this.source.peers() : undefined;
    for (const d of inv.changedDevices) {
      d.dirty = false;
      upserts.push(this.source.deviceJson(d, evidence, peers, identity));
    }
    inv.changedDevices.length = 0;
    const edges: EdgeJson[] = [];
    for (const e of inv.changedEdges) {
      e.dirty = false;
      edges.push(inv.edgeJson(e));
    }
    inv.changedEdges.length = 0;
    const batch: DeltaBatch = {
      seq: ++this.seq,
      at: new Date().toISOString(),
      upserts,
      removed: this.removed,
      edges,
      edgesRemoved: this.edgesRemoved,
      alerts: this.alerts,
      stats: this.source.stats(),
    };
    this.removed = [];
    this.edgesRemoved = [];
    this.alerts = [];
    this.history.push(batch);
    if (this.history.length > this.keep) this.history.shift();
    return batch;
  }

  /** Everything after `lastSeq` for a consumer: replayed batches, or a snapshot when they are gone. */
  since(lastSeq: number): CatchUp {
    const oldest = this.history.length > 0 ? this.history[0]!.seq : this.seq + 1;
    if (lastSeq >= oldest - 1 && lastSeq <= this.seq) {
      return { snapshot: null, snapshotSeq: lastSeq, batches: this.history.filter((b) => b.seq > lastSeq) };
    }
    return { snapshot: this.source.snapshot(), snapshotSeq: this.seq, batches: [] };
  }
}

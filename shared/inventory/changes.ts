import type { PeerIndex } from '../classify';
import type { AlertJson } from '../model/alert';
import type { DeviceJson, EdgeJson, InventoryStats } from '../model/inventory';
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
}

/** One batch of the change stream: what changed since the batch before, in order of `seq`. */
export interface DeltaBatch {
  seq: number;
  at: string;
  upserts: DeviceJson[];
  /** Devices gone from the inventory (a view drops them). */
  removed: string[];
  /**
   * Those of them whose rows a store deletes: devices a console's merge no longer holds (an id that
   * became qualified by site, a site dropped, pruned at the merge's caps). One analysis removes none.
   */
  devicesDeleted: string[];
  edges: EdgeJson[];
  /** Every edge gone from the inventory (a view drops them all). */
  edgesRemoved: { a: string; b: string }[];
  /**
   * Those of them that were wrong, not evicted by a cap: the traffic is now another device's and
   * nothing of the edge is left. A store deletes their rows; an evicted edge keeps its row.
   */
  edgesDeleted: { a: string; b: string }[];
  alerts: AlertJson[];
  stats: InventoryStats;
  /**
   * The devices and edges are totals over every session, not this session's counts: a console's
   * merge, restored from its checkpoint, already holds what earlier sessions said. A store writes
   * them as they are, carrying nothing from its earlier sessions.
   */
  cumulative?: boolean;
}

/**
 * The change stream the hosts forward to UIs and sensors: devices and edges touched since the last
 * collection, removals and alerts, numbered. Hosts call collect() on a timer (every 100 to 250 ms)
 * through the Recorder (src-main/store/recorder.ts); a batch is handed on once and not kept.
 */
export class ChangeStream {
  seq = 0;
  constructor(private readonly source: ChangeSource) {}

  /**
   * Build the next batch from everything changed since the last one; null when nothing changed.
   * Devices carry their identity section only when asked (a store keeps it; live deltas stay small).
   */
  collect(evidence = false, identity = evidence): DeltaBatch | null {
    const inv = this.source.inventory;
    if (inv.changedDevices.length === 0 && inv.changedEdges.length === 0 && inv.removedEdges.length === 0)
      return null;
    // Edges evicted by the cap or left with nothing by a router's move (devices are never removed
    // from a run's inventory).
    const edgesRemoved = inv.removedEdges.splice(0);
    const edgesDeleted = inv.deletedEdges.splice(0);
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
      removed: [],
      devicesDeleted: [],
      edges,
      edgesRemoved,
      edgesDeleted,
      // The recorder derives alerts from the batch; the field carries them to whoever records it.
      alerts: [],
      stats: this.source.stats(),
    };
    return batch;
  }
}

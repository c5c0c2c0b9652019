import type { DeltaBatch } from '../../shared/inventory/changes';
import type { EditBook } from '../../shared/inventory/edits';
import type { DeviceJson } from '../../shared/model/inventory';
import type { DeviceDelta, Snapshot } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { CallFailure } from '../ipc/engine-api';
import type { EventHub } from '../ipc/event-hub';
import type { StoredDevice } from '../store/types';
import type { RunController } from './run-controller';
import { errorText, type StoreLink } from './store-link';

/** A stored device as the engine shows devices: the store's own bookkeeping fields left out. */
function plainDevice(d: StoredDevice): DeviceJson {
  const {
    name: _name,
    authorization: _authorization,
    online: _online,
    aliases: _aliases,
    manual: _manual,
    ...rest
  } = d;
  return rest;
}

/**
 * The inventory as the UI sees it: the current run's devices with manual edits applied, sent as
 * numbered deviceDelta events (split to the contract's batch limit), and answered as snapshots and
 * device details. Until a run's first (reset) delta replaces it, what the store last recorded.
 */
export class InventoryView {
  /** The sequence of the last delta sent: one count across runs and split batches. */
  private wireSeq = 0;
  private reset = true;
  private fromStore: boolean;

  constructor(
    private readonly hub: EventHub,
    private readonly runs: () => RunController,
    private readonly link: StoreLink,
    private readonly edits: EditBook,
  ) {
    this.fromStore = link.store !== null;
  }

  /** The sequence of the last delta sent (a snapshot carries it). */
  get sequence(): number {
    return this.wireSeq;
  }

  /** Whether the UI is shown the store's devices (no run has sent a delta yet). */
  get showingStore(): boolean {
    return this.fromStore;
  }

  /** A new run: its first delta tells the UI to drop what it holds. */
  newRun(): void {
    this.reset = true;
  }

  /** Send one collected batch to the UI. */
  publish(b: DeltaBatch): void {
    const L = IPC_LIMITS.batch;
    const parts = Math.max(1, Math.ceil(Math.max(b.upserts.length, b.edges.length, b.removed.length) / L));
    // Sequence numbers on the wire rise by one per delta, so a batch split in parts renumbers them.
    for (let i = 0; i < parts; i++) {
      const delta: DeviceDelta = {
        sequence: this.wireSeq + 1,
        reset: this.reset && i === 0,
        upserts: b.upserts.slice(i * L, (i + 1) * L).map((d) => this.edits.apply(d)),
        removals: b.removed.slice(i * L, (i + 1) * L),
        edgeUpserts: b.edges.slice(i * L, (i + 1) * L),
        edgeRemovals: b.edgesRemoved.slice(i * L, (i + 1) * L),
      };
      this.wireSeq++;
      if (delta.reset) this.fromStore = false;
      this.hub.emit('deviceDelta', delta);
    }
    this.reset = false;
  }

  /** A device edited before the first run (no change stream yet) goes out as a delta of its own. */
  publishStored(shown: DeviceJson): void {
    this.wireSeq++;
    this.hub.emit('deviceDelta', {
      sequence: this.wireSeq,
      reset: false,
      upserts: [shown],
      removals: [],
      edgeUpserts: [],
      edgeRemovals: [],
    });
  }

  /** A device as the store last recorded it (edits applied), while the UI is shown the store. */
  storedDevice(id: string): DeviceJson | null {
    const store = this.link.store;
    if (!this.fromStore || store === null) return null;
    try {
      const d = store.device(id);
      return d === null ? null : this.edits.apply(plainDevice(d));
    } catch {
      return null;
    }
  }

  /** One device with its evidence, from the run or (before the first) from the store. */
  device(id: string): DeviceJson {
    const a = this.runs().analyzer;
    const d = a.inventory.byId(id);
    if (d !== undefined) return this.edits.apply(a.deviceJson(d, true));
    const stored = this.storedDevice(id);
    if (stored === null) throw new CallFailure('bad-request', `no device ${id} in the current inventory`);
    return stored;
  }

  snapshot(): Snapshot {
    const runs = this.runs();
    runs.flush();
    const L = IPC_LIMITS.snapshot;
    const store = this.link.store;
    if (this.fromStore && store !== null) {
      try {
        return {
          sequence: this.wireSeq,
          devices: store
            .devices()
            .slice(0, L)
            // The identity section comes with a device's details, as with a live run.
            .map(({ identity: _identity, ...d }) => this.edits.apply(plainDevice(d))),
          edges: store.edges().slice(0, L),
          status: runs.status,
        };
      } catch (e) {
        this.link.log(`the device store cannot be read: ${errorText(e)}`);
      }
    }
    const inv = runs.analyzer.snapshot({ identity: false });
    return {
      sequence: this.wireSeq,
      devices: inv.devices.slice(0, L).map((d) => this.edits.apply(d)),
      edges: inv.edges.slice(0, L),
      status: runs.status,
    };
  }
}

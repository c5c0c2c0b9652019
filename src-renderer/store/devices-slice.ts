/**
 * The inventory as the UI holds it: devices and edges by key, and the sequence of the last delta
 * applied. A whole delta batch is applied in one `set`, so the grid and graph re-render once per batch.
 */
import type { Slice } from './slice';
import type { DeviceDelta, Snapshot } from '../../shared/ipc/contract';
import type { DeviceJson, EdgeJson } from '../../shared/model/inventory';

export const edgeKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** How long a new or changed device stays highlighted, ms. */
export const HIGHLIGHT_MS = 2500;
/** A batch larger than this is a bulk load (a snapshot, a new run): nothing in it is highlighted. */
const HIGHLIGHT_MAX_BATCH = 2000;

export interface Recent {
  kind: 'new' | 'changed';
  at: number;
}

export interface DevicesSlice {
  devices: ReadonlyMap<string, DeviceJson>;
  edges: ReadonlyMap<string, EdgeJson>;
  /** The devices as one array (stable until the next batch): what the grid and facets read. */
  deviceList: readonly DeviceJson[];
  /** Devices added or changed in the last few seconds, for a brief highlight. */
  recent: ReadonlyMap<string, Recent>;
  /** Sequence of the last delta or snapshot applied; null before the first snapshot. */
  sequence: number | null;
  applySnapshot(snapshot: Snapshot): void;
  /** Returns false when the delta does not follow on (a gap): the caller fetches a fresh snapshot. */
  applyDelta(delta: DeviceDelta): boolean;
}

function nextRecent(prev: ReadonlyMap<string, Recent>, now: number): Map<string, Recent> {
  const out = new Map<string, Recent>();
  for (const [id, r] of prev) if (now - r.at < HIGHLIGHT_MS) out.set(id, r);
  return out;
}

export const devicesSlice: Slice<DevicesSlice> = (set, get) => ({
  devices: new Map(),
  edges: new Map(),
  deviceList: [],
  recent: new Map(),
  sequence: null,
  applySnapshot: (s) => {
    const devices = new Map(s.devices.map((d) => [d.id, d]));
    set({
      devices,
      deviceList: [...devices.values()],
      edges: new Map(s.edges.map((e) => [edgeKey(e.a, e.b), e])),
      recent: new Map(),
      sequence: s.sequence,
    });
    // The capture status rides in the snapshot; its own slice takes it (with its counter samples).
    get().setCapture(s.status);
  },
  applyDelta: (d) => {
    const { sequence, devices, edges, recent } = get();
    if (!d.reset && (sequence === null || d.sequence !== sequence + 1)) return false;
    const now = Date.now();
    const nextDevices = new Map(d.reset ? [] : devices);
    const nextEdges = new Map(d.reset ? [] : edges);
    const nextRec = d.reset ? new Map<string, Recent>() : nextRecent(recent, now);
    const mark = !d.reset && d.upserts.length <= HIGHLIGHT_MAX_BATCH;
    for (const id of d.removals) {
      nextDevices.delete(id);
      nextRec.delete(id);
    }
    for (const dev of d.upserts) {
      if (mark) {
        const was = nextDevices.get(dev.id);
        // A change worth showing: what the device is, not its counters ticking up.
        if (!was) nextRec.set(dev.id, { kind: 'new', at: now });
        else if (identityChanged(was, dev)) nextRec.set(dev.id, { kind: 'changed', at: now });
      }
      nextDevices.set(dev.id, dev);
    }
    for (const k of d.edgeRemovals) nextEdges.delete(edgeKey(k.a, k.b));
    for (const e of d.edgeUpserts) nextEdges.set(edgeKey(e.a, e.b), e);
    set({
      devices: nextDevices,
      deviceList: [...nextDevices.values()],
      edges: nextEdges,
      recent: nextRec,
      sequence: d.sequence,
    });
    return true;
  },
});

function identityChanged(a: DeviceJson, b: DeviceJson): boolean {
  return (
    a.hostname !== b.hostname ||
    a.vendor !== b.vendor ||
    a.category !== b.category ||
    a.type !== b.type ||
    a.model !== b.model ||
    a.os !== b.os ||
    a.firmware !== b.firmware ||
    a.ips.length !== b.ips.length ||
    a.protocols.length !== b.protocols.length
  );
}

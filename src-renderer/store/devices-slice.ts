/**
 * The inventory as the UI holds it: devices and edges by key, and the sequence of the last delta
 * applied. A whole delta batch is applied in one `set`, so the grid and graph re-render once per batch.
 */
import type { StateCreator } from 'zustand';
import type { DeviceDelta, Snapshot } from '../../shared/ipc/contract';
import type { DeviceJson, EdgeJson } from '../../shared/model/inventory';
import type { Store } from './store';

export const edgeKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

export interface DevicesSlice {
  devices: ReadonlyMap<string, DeviceJson>;
  edges: ReadonlyMap<string, EdgeJson>;
  /** Sequence of the last delta or snapshot applied; null before the first snapshot. */
  sequence: number | null;
  applySnapshot(snapshot: Snapshot): void;
  /** Returns false when the delta does not follow on (a gap): the caller fetches a fresh snapshot. */
  applyDelta(delta: DeviceDelta): boolean;
}

export const devicesSlice: StateCreator<Store, [], [], DevicesSlice> = (set, get) => ({
  devices: new Map(),
  edges: new Map(),
  sequence: null,
  applySnapshot: (s) =>
    set({
      devices: new Map(s.devices.map((d) => [d.id, d])),
      edges: new Map(s.edges.map((e) => [edgeKey(e.a, e.b), e])),
      sequence: s.sequence,
      capture: s.status,
    }),
  applyDelta: (d) => {
    const { sequence, devices, edges } = get();
    if (!d.reset && (sequence === null || d.sequence !== sequence + 1)) return false;
    const nextDevices = new Map(d.reset ? [] : devices);
    const nextEdges = new Map(d.reset ? [] : edges);
    for (const id of d.removals) nextDevices.delete(id);
    for (const dev of d.upserts) nextDevices.set(dev.id, dev);
    for (const k of d.edgeRemovals) nextEdges.delete(edgeKey(k.a, k.b));
    for (const e of d.edgeUpserts) nextEdges.set(edgeKey(e.a, e.b), e);
    set({ devices: nextDevices, edges: nextEdges, sequence: d.sequence });
    return true;
  },
});

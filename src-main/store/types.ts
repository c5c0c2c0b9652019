import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';

export type Authorization = 'authorized' | 'unauthorized' | 'unknown';
export const AUTHORIZATIONS: readonly Authorization[] = ['authorized', 'unauthorized', 'unknown'];

/** Fields a person can set by hand; they outrank whatever the capture and the rules say. */
export const EDITABLE = ['name', 'type', 'vendor', 'notes', 'authorization'] as const;
export type EditableField = (typeof EDITABLE)[number];
export type ManualEdits = Partial<Record<EditableField, string>>;

/** Where a timeline entry came from. */
export type ChangeSource = 'capture' | 'rule' | 'manual';

export interface TimelineEntry {
  deviceId: string;
  /** Capture time for capture and rule changes, wall time for manual ones. */
  at: string;
  /** 'hostname', 'type', 'ip', 'role', 'status', 'device', 'merge', a manual field, ... */
  field: string;
  old: string | null;
  new: string | null;
  source: ChangeSource;
}

/**
 * A device as the store shows it: the engine's view, with the devices merged into it folded in, and
 * manual edits applied on top (a manual `name` becomes `hostname`, `type` and `vendor` replace the
 * rules' values; the rules' own values stay in the timeline and in `manual`-free reads).
 */
export interface StoredDevice extends DeviceJson {
  name: string | null;
  notes: string | null;
  authorization: Authorization;
  /** False once the device went unseen for the offline threshold of capture time. */
  online: boolean;
  /** Ids merged into this one (an address-only device found on a MAC). */
  aliases: string[];
  manual: ManualEdits;
}

/** The inventory as the store shows it. */
export type StoredInventory = Omit<InventoryJson, 'devices'> & { devices: StoredDevice[] };

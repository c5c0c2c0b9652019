import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';

import type { Authorization, ManualEdits } from '../../shared/inventory/edits';

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
 * manual edits applied on top as everywhere (applyEdits: a manual `name` becomes `hostname`, `type`
 * and `vendor` replace the rules' values; the rules' own values stay in the timeline and in raw reads).
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

import type { DeviceJson } from '../model/inventory';
import { categoryOf } from '../classify/taxonomy';

/** What a person set by hand on a device. */
export interface DeviceEdits {
  name?: string;
  type?: string;
  vendor?: string;
  notes?: string;
}

export const EDITABLE_FIELDS = ['name', 'type', 'vendor', 'notes'] as const;

/** A device as the person sees it: their edits over what the capture and the rules said. */
export function applyEdits(j: DeviceJson, e: DeviceEdits | undefined): DeviceJson {
  if (e === undefined) return j;
  const edited = EDITABLE_FIELDS.filter((f) => e[f] !== undefined);
  if (edited.length === 0) return j;
  return {
    ...j,
    hostname: e.name ?? j.hostname,
    vendor: e.vendor ?? j.vendor,
    type: e.type ?? j.type,
    category: e.type !== undefined ? (categoryOf(e.type) ?? j.category) : j.category,
    notes: e.notes ?? null,
    edited: [...edited],
  };
}

import type { DeviceJson } from '../model/inventory';
import { categoryOf } from '../classify/taxonomy';

/** Whether a person has cleared a device to be on the network. */
export type Authorization = 'authorized' | 'unauthorized' | 'unknown';
export const AUTHORIZATIONS: readonly Authorization[] = ['authorized', 'unauthorized', 'unknown'];

/** Fields a person can set by hand; they outrank whatever the capture and the rules say. */
export const EDITABLE = ['name', 'type', 'vendor', 'notes', 'authorization'] as const;
export type EditableField = (typeof EDITABLE)[number];
export type ManualEdits = Partial<Record<EditableField, string>>;

/** The edits a device's JSON shows (authorization is the store's own column). */
export const EDITABLE_FIELDS = ['name', 'type', 'vendor', 'notes'] as const;
export type DeviceEdits = Pick<ManualEdits, (typeof EDITABLE_FIELDS)[number]>;

/** The longest value kept (a longer one is cut): the longest notes the IPC contract carries. */
export const MAX_EDIT_LENGTH = 4096;

/**
 * A value as it is kept: trimmed and cut to length, null (the edit is cleared) when blank. A field
 * that cannot be edited, or an authorization that is none of the three, is a RangeError.
 */
export function checkEdit(field: EditableField, value: string | null): string | null {
  if (!EDITABLE.includes(field))
    throw new RangeError(`'${String(field)}' cannot be edited: use one of ${EDITABLE.join(', ')}`);
  const v = value === null || value.trim() === '' ? null : value.trim().slice(0, MAX_EDIT_LENGTH);
  if (field === 'authorization' && v !== null && !AUTHORIZATIONS.includes(v as Authorization))
    throw new RangeError(`authorization must be one of ${AUTHORIZATIONS.join(', ')}`);
  return v;
}

/** A device as the person sees it: their edits over what the capture and the rules said. */
export function applyEdits<T extends DeviceJson>(j: T, e: ManualEdits | undefined): T {
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

/**
 * The manual edits of every device, by the id they were made on: the one place they are held and
 * applied. The device store keeps its book on disk; a host without a store keeps one in memory.
 */
export class EditBook {
  private readonly byId = new Map<string, ManualEdits>();

  get(id: string): ManualEdits | undefined {
    return this.byId.get(id);
  }

  /** Set a field (a value from checkEdit), or clear it with null. */
  set(id: string, field: EditableField, value: string | null): void {
    const e = { ...(this.byId.get(id) ?? {}) };
    if (value === null) delete e[field];
    else e[field] = value;
    if (Object.keys(e).length === 0) this.byId.delete(id);
    else this.byId.set(id, e);
  }

  /** Every device's edits, copied. */
  all(): Map<string, ManualEdits> {
    return new Map([...this.byId].map(([id, e]) => [id, { ...e }]));
  }

  /** A device as the person sees it. */
  apply<T extends DeviceJson>(d: T): T {
    return applyEdits(d, this.byId.get(d.id));
  }
}

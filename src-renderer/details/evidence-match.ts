/** Which evidence rows explain which attribute: the "why" under each value in the details panel. */
import type { DeviceJson, EvidenceJson } from '../../shared/model/inventory';

export type Attr = 'hostname' | 'vendor' | 'category' | 'type' | 'model' | 'os' | 'firmware' | 'serial';

const IDENTITY_PREFIX: Partial<Record<Attr, string[]>> = {
  vendor: ['vendor='],
  model: ['model=', 'product='],
  os: ['os='],
  firmware: ['firmware='],
  serial: ['serial='],
};

export function evidenceFor(attr: Attr, d: DeviceJson, evidence: readonly EvidenceJson[]): EvidenceJson[] {
  const value = d[attr];
  if (value === null) return [];
  const v = value.toLowerCase();
  const prefixes = IDENTITY_PREFIX[attr];
  return evidence.filter((e) => {
    if (attr === 'hostname')
      return e.kind === 'hostname' || (e.kind === 'address' && e.value.toLowerCase().includes(v));
    if (prefixes && e.kind === 'identity' && prefixes.some((p) => e.value.toLowerCase().startsWith(p)))
      return true;
    // Classification evidence (rules) and anything else that states this value.
    return e.value.toLowerCase().includes(v) || e.field.toLowerCase() === attr;
  });
}

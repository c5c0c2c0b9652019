import type { DeviceJson } from '../../shared/model/inventory';
import type { ChangeSource, TimelineEntry } from './types';

/** Attributes whose changes make the timeline, and who decides them. */
const TRACKED: readonly { field: keyof Tracked & string; source: ChangeSource }[] = [
  { field: 'hostname', source: 'capture' },
  { field: 'vendor', source: 'capture' },
  { field: 'serial', source: 'capture' },
  // Classification fills these from rules over the evidence.
  { field: 'category', source: 'rule' },
  { field: 'type', source: 'rule' },
  { field: 'model', source: 'rule' },
  { field: 'os', source: 'rule' },
  { field: 'firmware', source: 'rule' },
  { field: 'router', source: 'capture' },
  { field: 'routed', source: 'capture' },
];

/** Lists per device are bounded, but a timeline of a thousand address changes helps nobody: cap entries per diff. */
const MAX_SET_ENTRIES = 64;

/** What the timeline compares, kept per device so that a commit need not read the previous row back. */
export type Tracked = Pick<
  DeviceJson,
  | 'hostname'
  | 'vendor'
  | 'serial'
  | 'category'
  | 'type'
  | 'model'
  | 'os'
  | 'firmware'
  | 'router'
  | 'routed'
  | 'ips'
  | 'roles'
  | 'lastSeen'
>;

export function track(d: DeviceJson): Tracked {
  return {
    hostname: d.hostname,
    vendor: d.vendor,
    serial: d.serial,
    category: d.category,
    type: d.type,
    model: d.model,
    os: d.os,
    firmware: d.firmware,
    router: d.router,
    routed: d.routed,
    ips: d.ips,
    roles: d.roles,
    lastSeen: d.lastSeen,
  };
}

/** Timeline entries for a device going from `prev` to `cur` (both as the engine saw them), at `cur.lastSeen`. */
export function diffDevice(prev: Tracked | null, cur: DeviceJson): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const at = cur.lastSeen;
  if (prev === null) {
    out.push({
      deviceId: cur.id,
      at: cur.firstSeen,
      field: 'device',
      old: null,
      new: 'discovered',
      source: 'capture',
    });
    prev = EMPTY;
  }
  for (const t of TRACKED) {
    const o = str(prev[t.field]);
    const n = str(cur[t.field]);
    // A flag that starts out false is not news.
    if (o !== n && !(o === null && n === 'false'))
      out.push({ deviceId: cur.id, at, field: t.field, old: o, new: n, source: t.source });
  }
  sets(out, cur.id, at, 'ip', prev.ips, cur.ips);
  sets(out, cur.id, at, 'role', prev.roles, cur.roles);
  return out;
}

function sets(
  out: TimelineEntry[],
  id: string,
  at: string,
  field: string,
  a: readonly string[],
  b: readonly string[],
) {
  if (a.length === b.length && a.every((x, i) => x === b[i])) return;
  const old = new Set(a);
  const cur = new Set(b);
  let n = 0;
  for (const x of b)
    if (!old.has(x) && n++ < MAX_SET_ENTRIES)
      out.push({ deviceId: id, at, field, old: null, new: x, source: 'capture' });
  for (const x of a)
    if (!cur.has(x) && n++ < MAX_SET_ENTRIES)
      out.push({ deviceId: id, at, field, old: x, new: null, source: 'capture' });
}

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

const EMPTY = {
  hostname: null,
  vendor: null,
  serial: null,
  category: null,
  type: null,
  model: null,
  os: null,
  firmware: null,
  router: null,
  routed: null,
  ips: [],
  roles: [],
} as unknown as Tracked;

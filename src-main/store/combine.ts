import type { DeviceJson, EdgeJson } from '../../shared/model/inventory';

const COUNTERS = [
  'packets',
  'bytes',
  'packetsSent',
  'packetsReceived',
  'bytesSent',
  'bytesReceived',
] as const;
const SCALARS = [
  'hostname',
  'vendor',
  'ouiVendor',
  'category',
  'type',
  'model',
  'os',
  'firmware',
  'serial',
] as const;

/**
 * One device out of several views of it: `a` wins on single values, lists are united, times span
 * both. `add` says whether the counters add up (different traffic: another path, a later capture)
 * or overlap (the same traffic analysed again: the larger count stands).
 */
export function combineDevices(a: DeviceJson, b: DeviceJson, add: boolean): DeviceJson {
  const out: DeviceJson = { ...a };
  if (out.mac === null) out.mac = b.mac;
  for (const k of SCALARS) if (out[k] === null) out[k] = b[k];
  out.ips = union(a.ips, b.ips);
  out.roles = union(a.roles, b.roles);
  out.protocols = union(a.protocols, b.protocols).sort();
  out.via = union(a.via, b.via);
  out.vlans = union(a.vlans, b.vlans).sort((x, y) => x - y);
  out.hostnames = unionBy(a.hostnames, b.hostnames, (h) => h.source + '\u0000' + h.name);
  out.services = unionBy(a.services, b.services, (s) => s.transport + s.port).sort((x, y) => x.port - y.port);
  out.router = a.router || b.router;
  out.routed = a.routed && b.routed;
  out.localMac = a.mac !== null ? a.localMac : b.localMac;
  out.firstSeen = a.firstSeen < b.firstSeen ? a.firstSeen : b.firstSeen;
  out.lastSeen = a.lastSeen > b.lastSeen ? a.lastSeen : b.lastSeen;
  for (const k of COUNTERS) out[k] = add ? a[k] + b[k] : Math.max(a[k], b[k]);
  if (a.evidence !== undefined || b.evidence !== undefined)
    out.evidence = [...(a.evidence ?? []), ...(b.evidence ?? [])];
  return out;
}

/**
 * What the store knew from earlier sessions (`base`) plus this session's view of the same device.
 * Traffic after everything the base saw adds up; traffic overlapping it is taken to be the same
 * capture analysed again and does not count twice.
 */
export function carryDevice(base: DeviceJson, cur: DeviceJson): DeviceJson {
  return combineDevices(cur, base, cur.firstSeen > base.lastSeen);
}

/** An edge renamed to run from `a` to `b` (its counts swapped when it ran the other way). */
export function orientEdge(e: EdgeJson, a: string, b: string, reversed: boolean): EdgeJson {
  if (!reversed) return { ...e, a, b };
  return {
    ...e,
    a,
    b,
    packetsAtoB: e.packetsBtoA,
    packetsBtoA: e.packetsAtoB,
    bytesAtoB: e.bytesBtoA,
    bytesBtoA: e.bytesAtoB,
  };
}

/** Two edges between the same two devices, already oriented alike (seen through merged ids): counts add. */
export function sumEdges(x: EdgeJson, y: EdgeJson): EdgeJson {
  return {
    a: x.a,
    b: x.b,
    protocols: union(x.protocols, y.protocols).sort(),
    packets: x.packets + y.packets,
    bytes: x.bytes + y.bytes,
    packetsAtoB: x.packetsAtoB + y.packetsAtoB,
    packetsBtoA: x.packetsBtoA + y.packetsBtoA,
    bytesAtoB: x.bytesAtoB + y.bytesAtoB,
    bytesBtoA: x.bytesBtoA + y.bytesBtoA,
    firstSeen: x.firstSeen < y.firstSeen ? x.firstSeen : y.firstSeen,
    lastSeen: x.lastSeen > y.lastSeen ? x.lastSeen : y.lastSeen,
  };
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  if (b.length === 0) return [...a];
  const s = new Set(a);
  for (const x of b) s.add(x);
  return [...s];
}

function unionBy<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of a) m.set(key(x), x);
  for (const x of b) if (!m.has(key(x))) m.set(key(x), x);
  return [...m.values()];
}

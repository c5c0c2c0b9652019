/**
 * Merging partial inventories (partial-types.ts). Every rule here is a join of a semilattice, so the
 * merge is commutative, associative and idempotent: per source, counters take their maximum (they are
 * cumulative), first times the minimum, last times the maximum, flags OR, sets their union; a value
 * one source states once (an observation as first heard, a source's stats) takes the greater under
 * one fixed order. Bounds keep the smallest entries under a fixed order, which is a join too: the
 * result does not depend on which partial brought an entry first.
 */
import { factKey, factKeyOnce } from './evidence';

export { factKey, factKeyOnce };
import {
  PARTIAL_VERSION,
  type PartialDevice,
  type PartialDeviceState,
  type PartialDnsName,
  type PartialEdge,
  type EdgeTraffic,
  type PartialEdgePart,
  type PartialEdgeState,
  type PartialEdit,
  type PartialFact,
  type PartialHearsay,
  type PartialHearsayState,
  type PartialInventory,
  type PartialIpUse,
  type PartialRxUse,
  type PartialSource,
  type PartialSourceInfo,
  type SourceId,
  type PartialViaProtocols,
} from './partial-types';
import { MERGED_LIMITS, PARTIAL_LIMITS } from './partial-limits';
import type { Observation } from '../model/observation';
import { emptyStats } from '../decode/stats';

export function sourceId(s: PartialSource): SourceId {
  let id = `${s.site}/${s.sensor}`;
  if (s.worker !== undefined) id += '/' + s.worker;
  if (s.run !== undefined) id += '#' + s.run;
  return id;
}

/** Nothing known; with a source, that source is named (with zero counters) so it shows as present. */
export function emptyPartial(source?: PartialSource): PartialInventory {
  const sources: PartialSourceInfo[] =
    source === undefined
      ? []
      : [
          {
            source: sourceId(source),
            site: source.site,
            sensor: source.sensor,
            worker: source.worker ?? null,
            run: source.run ?? null,
            stats: { ...emptyStats(), observations: 0, first: null, last: null, files: [] },
          },
        ];
  return { version: PARTIAL_VERSION, sources, devices: [], edges: [], dns: [], edits: [] };
}

/** Code-unit order, the same on every machine (localeCompare is not). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A total order on JSON values, walked without building text (objects by their sorted keys): values
 * a partial states once compare equal far more often than not, and then cost a walk, not a string.
 */
export function cmpValue(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === 'number') return (a as number) < (b as number) ? -1 : 1;
  if (ta === 'string') return cmp(a as string, b as string);
  if (ta === 'boolean') return a ? 1 : -1;
  if (ta === 'array') {
    const x = a as unknown[];
    const y = b as unknown[];
    for (let i = 0; i < x.length && i < y.length; i++) {
      const c = cmpValue(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  if (ta === 'object') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const kx = Object.keys(x).sort(cmp);
    const ky = Object.keys(y).sort(cmp);
    const c = cmpValue(kx, ky);
    if (c !== 0) return c;
    for (const k of kx) {
      const d = cmpValue(x[k], y[k]);
      if (d !== 0) return d;
    }
  }
  return 0;
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** The greater of two values under cmpValue's order: a join for values stated once. */
function greater<T>(a: T, b: T): T {
  return cmpValue(a, b) >= 0 ? a : b;
}

/**
 * Merge two lists sorted by key, joining entries with the same key; the result is sorted too, and
 * holds the `max` smallest keys (a bound that is itself a join: no order of merges keeps others).
 */
function mergeBy<T>(
  xs: readonly T[],
  ys: readonly T[],
  key: (t: T) => string,
  join: (x: T, y: T) => T,
  max = Infinity,
): T[] {
  // The common cases, a delta meeting what is held: one side empty, or one entry each.
  if (ys.length === 0 && xs.length <= max && sortedUnique(xs, key)) return xs as T[];
  if (xs.length === 0 && ys.length <= max && sortedUnique(ys, key)) return ys as T[];
  if (xs.length === 1 && ys.length === 1 && key(xs[0]!) === key(ys[0]!)) return [join(xs[0]!, ys[0]!)];
  const m = new Map<string, T>();
  for (const x of xs) {
    const k = key(x);
    const had = m.get(k);
    m.set(k, had === undefined ? x : join(had, x));
  }
  for (const y of ys) {
    const k = key(y);
    const had = m.get(k);
    m.set(k, had === undefined ? y : join(had, y));
  }
  return [...m.entries()]
    .sort((p, q) => cmp(p[0], q[0]))
    .slice(0, max)
    .map((e) => e[1]);
}

function sortedUnique<T>(xs: readonly T[], key: (t: T) => string): boolean {
  for (let i = 1; i < xs.length; i++) if (!(key(xs[i - 1]!) < key(xs[i]!))) return false;
  return true;
}

function union(a: readonly string[], b: readonly string[], max: number): string[] {
  return [...new Set([...a, ...b])].sort(cmp).slice(0, max);
}

function unionNum(a: readonly number[], b: readonly number[], max: number): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y).slice(0, max);
}

/** The earlier of two times, null being "never". */
export function minT(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

export function maxT(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/** Entries in their source's order (seq), ties by key; only the first `max` kept. */
function bySeq<T extends { seq: number }>(xs: T[], key: (t: T) => string, max: number): T[] {
  return [...xs].sort((p, q) => p.seq - q.seq || cmp(key(p), key(q))).slice(0, max);
}

/**
 * cmpValue for two observations of one fact (same kind, protocol, field and value, see factKey):
 * besides frame, time and device, only a role's peer, a banner's product and version, a neighbour's
 * port description and VLAN and an event's facts are not in the key already. Checked observations
 * hold no other fields (the schema strips them).
 */
function cmpObs(a: Observation, b: Observation): number {
  if (a === b) return 0;
  if (a.frame !== b.frame) return a.frame < b.frame ? -1 : 1;
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  const c = cmpValue(a.device.mac, b.device.mac) || cmpValue(a.device.ip, b.device.ip);
  if (c !== 0) return c;
  const k = a.kind;
  return k === 'role' || k === 'software' || k === 'neighbor' || k === 'event' ? cmpValue(a, b) : 0;
}

function joinFact(x: PartialFact, y: PartialFact): PartialFact {
  // The observation as first heard: the earlier frame's, else the greater, so any order agrees.
  const obs =
    x.firstFrame !== y.firstFrame
      ? x.firstFrame < y.firstFrame
        ? x.obs
        : y.obs
      : cmpObs(x.obs, y.obs) >= 0
        ? x.obs
        : y.obs;
  const seq = Math.min(x.seq, y.seq);
  const firstFrame = Math.min(x.firstFrame, y.firstFrame);
  const first = Math.min(x.first, y.first);
  const last = Math.max(x.last, y.last);
  const count = Math.max(x.count, y.count);
  // Two literals, not a spread: the object a spread makes is a slot larger (8 bytes a fact held).
  return x.via === undefined
    ? { seq, firstFrame, first, last, count, obs }
    : { seq, firstFrame, first, last, count, obs, via: x.via };
}

function joinIp(x: PartialIpUse, y: PartialIpUse): PartialIpUse {
  const frame =
    x.frame === undefined ? y.frame : y.frame === undefined ? x.frame : Math.min(x.frame, y.frame);
  return {
    ip: x.ip,
    seq: Math.min(x.seq, y.seq),
    packets: Math.max(x.packets, y.packets),
    bytes: Math.max(x.bytes, y.bytes),
    first: minT(x.first, y.first),
    last: maxT(x.last, y.last),
    arp: x.arp || y.arp,
    served: unionNum(x.served, y.served, PARTIAL_LIMITS.servedPerIp),
    ...(frame === undefined ? {} : { frame }),
  };
}

function joinRx(x: PartialRxUse, y: PartialRxUse): PartialRxUse {
  return {
    ip: x.ip,
    packets: Math.max(x.packets, y.packets),
    bytes: Math.max(x.bytes, y.bytes),
    first: Math.min(x.first, y.first),
    last: Math.max(x.last, y.last),
  };
}

const ipKey = (u: { ip: string }) => u.ip;
/** A fact's key: one per address it came through (PartialFact.via). Not kept: see factKeyOnce. */
const fKey = (f: PartialFact) =>
  f.via === undefined ? factKeyOnce(f.obs) : `${factKeyOnce(f.obs)}\u0000@${f.via}`;

function joinViaProtocols(x: PartialViaProtocols, y: PartialViaProtocols): PartialViaProtocols {
  return { ip: x.ip, protocols: union(x.protocols, y.protocols, PARTIAL_LIMITS.protocolsPerDevice) };
}

export const partKeyOf = (p: PartialEdgePart) => `${p.viaA ?? ''}\n${p.viaB ?? ''}`;

/** One source's traffic of an edge (or a part of it), joined: cumulative counters, earliest, latest. */
function joinTraffic(
  x: EdgeTraffic & { protocols: string[] },
  y: EdgeTraffic & { protocols: string[] },
): EdgeTraffic & { protocols: string[] } {
  return {
    packetsAtoB: Math.max(x.packetsAtoB, y.packetsAtoB),
    packetsBtoA: Math.max(x.packetsBtoA, y.packetsBtoA),
    bytesAtoB: Math.max(x.bytesAtoB, y.bytesAtoB),
    bytesBtoA: Math.max(x.bytesBtoA, y.bytesBtoA),
    first: Math.min(x.first, y.first),
    last: Math.max(x.last, y.last),
    protocols: union(x.protocols, y.protocols, PARTIAL_LIMITS.protocolsPerDevice),
  };
}

function joinPart(x: PartialEdgePart, y: PartialEdgePart): PartialEdgePart {
  return { viaA: x.viaA, viaB: x.viaB, ...joinTraffic(x, y) };
}

export function joinDeviceState(x: PartialDeviceState, y: PartialDeviceState): PartialDeviceState {
  const L = PARTIAL_LIMITS;
  return {
    source: x.source,
    first: minT(x.first, y.first),
    last: maxT(x.last, y.last),
    packetsSent: Math.max(x.packetsSent, y.packetsSent),
    packetsReceived: Math.max(x.packetsReceived, y.packetsReceived),
    bytesSent: Math.max(x.bytesSent, y.bytesSent),
    bytesReceived: Math.max(x.bytesReceived, y.bytesReceived),
    ...(x.routedPackets !== undefined || y.routedPackets !== undefined
      ? {
          routedPackets: Math.max(x.routedPackets ?? 0, y.routedPackets ?? 0),
          routedBytes: Math.max(x.routedBytes ?? 0, y.routedBytes ?? 0),
        }
      : {}),
    ...(x.routedReceivedPackets !== undefined || y.routedReceivedPackets !== undefined
      ? {
          routedReceivedPackets: Math.max(x.routedReceivedPackets ?? 0, y.routedReceivedPackets ?? 0),
          routedReceivedBytes: Math.max(x.routedReceivedBytes ?? 0, y.routedReceivedBytes ?? 0),
        }
      : {}),
    ...(x.received !== undefined || y.received !== undefined
      ? { received: mergeBy(x.received ?? [], y.received ?? [], ipKey, joinRx, L.ipsPerDevice) }
      : {}),
    router: x.router || y.router,
    routed: x.routed || y.routed,
    via: union(x.via, y.via, L.viaPerDevice),
    ips: bySeq(mergeBy(x.ips, y.ips, ipKey, joinIp), ipKey, L.ipsPerDevice),
    protocols: union(x.protocols, y.protocols, L.protocolsPerDevice),
    ...(x.viaProtocols !== undefined || y.viaProtocols !== undefined
      ? {
          viaProtocols: mergeBy(
            x.viaProtocols ?? [],
            y.viaProtocols ?? [],
            ipKey,
            joinViaProtocols,
            L.ipsPerDevice * 2,
          ),
        }
      : {}),
    vlans: unionNum(x.vlans, y.vlans, L.vlansPerDevice),
    servedTcp: unionNum(x.servedTcp, y.servedTcp, L.servedPerDevice),
    ...(x.routerServedTcp !== undefined || y.routerServedTcp !== undefined
      ? { routerServedTcp: unionNum(x.routerServedTcp ?? [], y.routerServedTcp ?? [], L.servedPerDevice) }
      : {}),
    facts: bySeq(mergeBy(x.facts, y.facts, fKey, joinFact), fKey, L.factEntriesPerDevice),
    factsDropped: Math.max(x.factsDropped, y.factsDropped),
    ...bornOf(x.born, y.born),
  };
}

/** The earlier making, of those known. */
function bornOf(x: number | undefined, y: number | undefined): { born?: number } {
  if (x === undefined) return y === undefined ? {} : { born: y };
  return { born: y === undefined ? x : Math.min(x, y) };
}

export function joinDevice(x: PartialDevice, y: PartialDevice): PartialDevice {
  // The key names kind, site, domain and id (the schema checks they agree); take either's.
  return {
    ...x,
    states: mergeBy(x.states, y.states, (s) => s.source, joinDeviceState, PARTIAL_LIMITS.statesPerEntry),
  };
}

function joinEdgeState(x: PartialEdgeState, y: PartialEdgeState): PartialEdgeState {
  return {
    source: x.source,
    ...joinTraffic(x, y),
    ...bornOf(x.born, y.born),
    ...(x.parts !== undefined || y.parts !== undefined
      ? { parts: mergeBy(x.parts ?? [], y.parts ?? [], partKeyOf, joinPart, PARTIAL_LIMITS.partsPerEdge) }
      : {}),
  };
}

export function joinEdge(x: PartialEdge, y: PartialEdge): PartialEdge {
  return {
    a: x.a,
    b: x.b,
    states: mergeBy(x.states, y.states, (s) => s.source, joinEdgeState, PARTIAL_LIMITS.statesPerEntry),
  };
}

function joinHearsayState(x: PartialHearsayState, y: PartialHearsayState): PartialHearsayState {
  // Once the source's own device claimed the facts, they are in its state: none wait any more.
  if (x.claimed || y.claimed) return { source: x.source, claimed: true, facts: [], protocols: [] };
  const L = PARTIAL_LIMITS;
  return {
    source: x.source,
    claimed: false,
    facts: bySeq(mergeBy(x.facts, y.facts, fKey, joinFact), fKey, L.hearsayFacts),
    protocols: union(x.protocols, y.protocols, L.hearsayFacts),
  };
}

export function joinHearsay(x: PartialHearsay, y: PartialHearsay): PartialHearsay {
  return {
    site: x.site,
    ip: x.ip,
    states: mergeBy(x.states, y.states, (s) => s.source, joinHearsayState, PARTIAL_LIMITS.statesPerEntry),
  };
}

export const edgeKey = (e: { a: string; b: string }) => `${e.a}\n${e.b}`;
export const dnsKey = (d: PartialDnsName) => `${d.site}\n${d.ip}`;
export const hearsayKey = (h: PartialHearsay) => `${h.site}\n${h.ip}`;
export const editKey = (e: PartialEdit) => `${e.device}\n${e.field}`;

/** The newest edit wins; at the same time the greater author, then value, so every order agrees. */
export function newerEdit(x: PartialEdit, y: PartialEdit): PartialEdit {
  if (x.time !== y.time) return x.time > y.time ? x : y;
  if (x.author !== y.author) return x.author > y.author ? x : y;
  return greater(x, y);
}

/** A source's counters only grow: the one with more packets (then observations) is the newer. */
export function newerSource(x: PartialSourceInfo, y: PartialSourceInfo): PartialSourceInfo {
  if (x.stats.packets !== y.stats.packets) return x.stats.packets > y.stats.packets ? x : y;
  if (x.stats.observations !== y.stats.observations)
    return x.stats.observations > y.stats.observations ? x : y;
  return greater(x, y);
}

/**
 * One partial holding what both hold. Pure: neither input is changed, and the result shares no
 * mutable state the caller could change through an input (entries are copied as they are joined, or
 * taken whole where only one side has them; treat partials as immutable).
 */
export function mergePartials(a: PartialInventory, b: PartialInventory): PartialInventory {
  const M = MERGED_LIMITS;
  const hearsay = mergeBy(a.hearsay ?? [], b.hearsay ?? [], hearsayKey, joinHearsay, M.hearsay);
  return {
    version: PARTIAL_VERSION,
    sources: mergeBy(a.sources, b.sources, (s) => s.source, newerSource, M.sources),
    devices: mergeBy(a.devices, b.devices, (d) => d.key, joinDevice, M.devices),
    edges: mergeBy(a.edges, b.edges, edgeKey, joinEdge, M.edges),
    dns: mergeBy(a.dns, b.dns, dnsKey, joinDns, M.dnsAddresses),
    edits: mergeBy(a.edits, b.edits, editKey, newerEdit, M.edits),
    // Absent when empty, so partials that never held hearsay stay as they were.
    ...(hearsay.length > 0 ? { hearsay } : {}),
  };
}

export function joinDns(x: PartialDnsName, y: PartialDnsName): PartialDnsName {
  const learnt = new Map<string, number>();
  for (const d of [x, y])
    d.names.forEach((n, i) => {
      const b = d.born?.[i] ?? UNKNOWN_BORN;
      const was = learnt.get(n);
      if (was === undefined || b < was) learnt.set(n, b);
    });
  return { ...x, ...dnsNames(learnt) };
}

/** The stamp of a name whose source did not say when it learnt it: after every known one. */
export const UNKNOWN_BORN = Number.MAX_SAFE_INTEGER;

/**
 * An address's names (name -> when learnt) as a partial holds them: earliest learnt first, ties by
 * name, only the first namesPerAddress (as one analysis keeps the first it learns), stamps beside them.
 */
export function dnsNames(learnt: ReadonlyMap<string, number>): Pick<PartialDnsName, 'names' | 'born'> {
  const kept = [...learnt]
    .sort(([n, b], [m, c]) => b - c || cmp(n, m))
    .slice(0, PARTIAL_LIMITS.namesPerAddress);
  const names = kept.map(([n]) => n);
  return kept.every(([, b]) => b === UNKNOWN_BORN) ? { names } : { names, born: kept.map(([, b]) => b) };
}

/** Merge any number of partials (in any order: the result is the same). */
export function mergeAll(ps: readonly PartialInventory[]): PartialInventory {
  return ps.reduce(mergePartials, emptyPartial());
}

/**
 * Partial inventories (see partial-types.ts): the partial of an Inventory, all of it or what changed
 * since a marker (a sensor's delta), and the API in one place: merge (partial-merge.ts), validation of
 * a partial from the network (partial-schema.ts), and the inventory a partial yields
 * (partial-inventory.ts).
 */
import { ipv4ToString } from '../util/addr';
import type { Device, Edge, HeldFact, Inventory, IpUse } from './inventory';
import { cmp, dnsNames, edgeKey, factKey, partKeyOf, sourceId } from './partial-merge';
import { PARTIAL_LIMITS } from './partial-limits';
import { partList, type Share } from './shares';
import {
  PARTIAL_VERSION,
  type PartialDevice,
  type PartialDeviceState,
  type PartialDnsName,
  type PartialEdge,
  type PartialEdgePart,
  type PartialEdgeState,
  type PartialFact,
  type PartialHearsay,
  type PartialInventory,
  type PartialIpUse,
  type PartialMarker,
  type PartialRxUse,
  type PartialSource,
  type PartialStats,
  type PartialViaProtocols,
} from './partial-types';

export * from './partial-types';
export { emptyPartial, mergePartials, mergeAll, sourceId } from './partial-merge';
export { parsePartial, type ParsedPartial } from './partial-schema';
export { PartialAccumulator } from './partial-accumulator';
export { withoutSite } from './partial-drop';
export { inventoryFromPartial, partialDeviceIds, type FromPartialOptions } from './partial-inventory';

export interface PartialOfOptions {
  /** Only devices, edges and DNS names changed since this marker (from partialMarker) go in. */
  since?: PartialMarker;
  /** The layer-2 domain the source's MACs are in (default: the site's name). */
  l2domain?: string;
  /** The source's decode counters (analyzerPartial fills them). */
  stats?: PartialStats;
}

/** A device's key in partials: see PartialDevice. */
export function deviceKey(d: Device, site: string, l2domain: string, sensor: string): string {
  if (d.aggregate) return `${site}/${sensor}/${d.id}`;
  if (d.mac >= 0) return `${site}/${l2domain}/${d.id}`;
  return `${site}/${d.id}`;
}

const finite = (t: number): number | null => (Number.isFinite(t) ? t : null);

function ipUses(d: Device): PartialIpUse[] {
  const out: PartialIpUse[] = [];
  // seq keeps each family's own order (the order the inventory bound them in).
  const add = (ip: string, seq: number, u: IpUse) =>
    out.push({
      ip,
      seq,
      packets: u.packets,
      bytes: u.bytes,
      first: finite(u.first),
      last: finite(u.last),
      arp: u.arp,
      served: [...(u.served ?? [])].sort((x, y) => x - y),
      frame: u.frame,
    });
  let seq = 0;
  for (const [k, u] of d.ip4) add(ipv4ToString(k >>> 0), seq++, u);
  seq = 0;
  for (const [ip, u] of d.ip6) add(ip, seq++, u);
  return out.sort((x, y) => x.seq - y.seq || cmp(x.ip, y.ip));
}

/** Held hearsay as partial facts, in the order first heard. */
function heldFacts(list: readonly HeldFact[]): PartialFact[] {
  return list.map((h, seq) => ({
    seq,
    firstFrame: h.obs.frame,
    first: h.obs.ts,
    last: h.last,
    count: h.count,
    obs: h.obs,
  }));
}

/** Per address: facts held, or -1 once a device claimed them (what a delta compares). */
function hearsayStamps(inv: Inventory): Map<string, number> {
  const out = new Map<string, number>();
  for (const [ip, list] of inv.heldHearsay())
    out.set(
      ip,
      list.reduce((n, h) => n + h.count, 0),
    );
  for (const ip of inv.claimedHearsay()) out.set(ip, -1);
  return out;
}

function rxUses(d: Device): PartialRxUse[] {
  const out: PartialRxUse[] = [];
  for (const [k, u] of d.rx4 ?? []) out.push({ ip: ipv4ToString(k >>> 0), ...u });
  for (const [ip, u] of d.rx6 ?? []) out.push({ ip, ...u });
  return out.sort((x, y) => cmp(x.ip, y.ip));
}

function facts(d: Device): PartialFact[] {
  const out: PartialFact[] = [];
  if (splitByShare(d)) {
    // A MAC not known to route: each fact once per address it came through (shares.ts), so a merge
    // that finds it routing can move them; in the order first heard (the attach order).
    for (const s of shares(d)) {
      const via = addressText(s.address);
      for (const f of s.facts.values())
        out.push({
          seq: f.seq,
          firstFrame: f.obs.frame,
          first: f.first,
          last: f.last,
          count: f.count,
          obs: f.obs,
          ...(via === null ? {} : { via }),
        });
    }
    const key = (f: PartialFact) => factKey(f.obs) + (f.via ?? '');
    return out
      .sort((x, y) => x.seq - y.seq || cmp(key(x), key(y)))
      .slice(0, PARTIAL_LIMITS.factEntriesPerDevice);
  }
  for (const [seq, f] of d.evidence.facts)
    out.push({ seq, firstFrame: f.firstFrame, first: f.first, last: f.last, count: f.count, obs: f.obs });
  return out.sort((x, y) => x.seq - y.seq || cmp(factKey(x.obs), factKey(y.obs)));
}

/** Whether a device's facts, protocols and edges go out by share: a MAC not known to route. */
const splitByShare = (d: Device) => !d.router && (d.stays !== null || d.shares !== null);

function shares(d: Device): Share[] {
  const out: Share[] = [];
  if (d.stays !== null) out.push(d.stays);
  for (const s of d.shares?.values() ?? []) out.push(s);
  return out;
}

/** A share's address as partials write it; null for what stays the MAC's. */
function addressText(a: number | string | null): string | null {
  return a === null ? null : typeof a === 'number' ? ipv4ToString(a >>> 0) : a;
}

/** A device's protocols: with its shares', those that stay its own and those by address. */
function protocolsOf(d: Device): Pick<PartialDeviceState, 'protocols' | 'viaProtocols'> {
  if (!splitByShare(d)) return { protocols: [...d.protocols].sort(cmp) };
  const via: PartialViaProtocols[] = [];
  for (const s of d.shares?.values() ?? [])
    if (s.protocols.size > 0)
      via.push({ ip: addressText(s.address)!, protocols: [...s.protocols].sort(cmp) });
  return {
    protocols: [...(d.stays?.protocols ?? [])].sort(cmp),
    ...(via.length > 0 ? { viaProtocols: via.sort((x, y) => cmp(x.ip, y.ip)) } : {}),
  };
}

/** An edge's parts by the addresses its ends used (flipped: `a` is the edge's `b`), summed per pair. */
function partsOf(e: Edge, flip: boolean): PartialEdgePart[] {
  const out = new Map<string, PartialEdgePart>();
  for (const p of partList(e)) {
    const va = addressText(p.sa?.address ?? null);
    const vb = addressText(p.sb?.address ?? null);
    const part: PartialEdgePart = {
      viaA: flip ? vb : va,
      viaB: flip ? va : vb,
      packetsAtoB: flip ? p.packetsBtoA : p.packetsAtoB,
      packetsBtoA: flip ? p.packetsAtoB : p.packetsBtoA,
      bytesAtoB: flip ? p.bytesBtoA : p.bytesAtoB,
      bytesBtoA: flip ? p.bytesAtoB : p.bytesBtoA,
      first: p.first,
      last: p.last,
      protocols: [...p.protocols],
    };
    const k = partKeyOf(part);
    const had = out.get(k);
    if (had === undefined) {
      out.set(k, part);
      continue;
    }
    had.packetsAtoB += part.packetsAtoB;
    had.packetsBtoA += part.packetsBtoA;
    had.bytesAtoB += part.bytesAtoB;
    had.bytesBtoA += part.bytesBtoA;
    had.first = Math.min(had.first, part.first);
    had.last = Math.max(had.last, part.last);
    had.protocols = [...new Set([...had.protocols, ...part.protocols])];
  }
  return [...out.entries()]
    .sort(([x], [y]) => cmp(x, y))
    .slice(0, PARTIAL_LIMITS.partsPerEdge)
    .map(([, p]) => ({ ...p, protocols: p.protocols.sort(cmp) }));
}

/** Everything rules and the JSON read, short: a device that changed has a different stamp. */
function deviceStamp(d: Device): string {
  let n = 0;
  for (const f of d.evidence.facts.values()) n += f.count;
  // A share's protocols may grow while the device's do not (the same one through another address).
  let shared = 0;
  if (splitByShare(d)) for (const s of shares(d)) shared += s.protocols.size + s.facts.size * 1024;
  return `${d.first}/${d.last}/${d.packetsSent}/${d.packetsReceived}/${d.bytesSent}/${d.bytesReceived}/${n}/${d.evidence.facts.size}/${d.ip4.size}/${d.ip6.size}/${d.protocols.size}/${d.vlans.size}/${d.servedTcp.size}/${d.via.size}/${d.router ? 1 : 0}/${d.routed ? 1 : 0}/${shared}`;
}

function edgeStamp(e: Edge): string {
  return `${e.packetsAtoB}/${e.packetsBtoA}/${e.protocols.size}/${e.first}/${e.last}`;
}

/** Where the inventory stands now: partialOf(…, { since }) later sends only what moved on from here. */
export function partialMarker(inv: Inventory): PartialMarker {
  const devices = new Map<string, string>();
  for (const d of inv.devices()) devices.set(d.id, deviceStamp(d));
  const edges = new Map<string, string>();
  for (const e of inv.edges.values()) edges.set(`${e.a.id}\n${e.b.id}`, edgeStamp(e));
  const dns = new Map<string, number>();
  for (const [ip, names] of inv.resolved) dns.set(ip, names.size);
  return { devices, edges, dns, hearsay: hearsayStamps(inv) };
}

/**
 * The partial of an inventory as `source` knows it. With `since`, only what changed after that
 * marker, each with its whole cumulative state: merged in any order, twice or late, deltas give the
 * same result as the full partial.
 */
export function partialOf(inv: Inventory, source: PartialSource, o: PartialOfOptions = {}): PartialInventory {
  const sid = sourceId(source);
  const site = source.site;
  const l2 = o.l2domain ?? site;
  const key = (d: Device) => deviceKey(d, site, l2, source.sensor);
  const since = o.since;
  const devices: PartialDevice[] = [];
  for (const d of inv.devices()) {
    if (since !== undefined && since.devices.get(d.id) === deviceStamp(d)) continue;
    const state: PartialDeviceState = {
      source: sid,
      first: finite(d.first),
      last: finite(d.last),
      packetsSent: d.packetsSent + d.routedPackets,
      packetsReceived: d.packetsReceived + d.routedReceivedPackets,
      bytesSent: d.bytesSent + d.routedBytes,
      bytesReceived: d.bytesReceived + d.routedReceivedBytes,
      ...(d.routedPackets + d.routedBytes > 0
        ? { routedPackets: d.routedPackets, routedBytes: d.routedBytes }
        : {}),
      ...(d.routedReceivedPackets + d.routedReceivedBytes > 0
        ? { routedReceivedPackets: d.routedReceivedPackets, routedReceivedBytes: d.routedReceivedBytes }
        : {}),
      ...(d.rx4 !== null || d.rx6 !== null ? { received: rxUses(d) } : {}),
      router: d.router,
      routed: d.routed,
      // Routers are MAC devices of the same domain (Inventory.routedVia).
      via: [...d.via].map((id) => `${site}/${l2}/${id}`).sort(cmp),
      ips: ipUses(d),
      ...protocolsOf(d),
      vlans: [...d.vlans].sort((x, y) => x - y),
      servedTcp: d.router ? [] : [...d.servedTcp].sort((x, y) => x - y),
      ...(d.router ? { routerServedTcp: [...d.servedTcp].sort((x, y) => x - y) } : {}),
      facts: facts(d),
      factsDropped: d.evidence.dropped,
      born: d.born,
    };
    devices.push({
      key: key(d),
      kind: d.aggregate ? 'aggregate' : d.mac >= 0 ? 'mac' : 'ip',
      site,
      l2domain: !d.aggregate && d.mac >= 0 ? l2 : null,
      id: d.id,
      states: [state],
    });
  }
  const edges: PartialEdge[] = [];
  for (const e of inv.edges.values()) {
    if (since !== undefined && since.edges.get(`${e.a.id}\n${e.b.id}`) === edgeStamp(e)) continue;
    const ka = key(e.a);
    const kb = key(e.b);
    const flip = ka > kb;
    const s: PartialEdgeState = {
      source: sid,
      packetsAtoB: flip ? e.packetsBtoA : e.packetsAtoB,
      packetsBtoA: flip ? e.packetsAtoB : e.packetsBtoA,
      bytesAtoB: flip ? e.bytesBtoA : e.bytesAtoB,
      bytesBtoA: flip ? e.bytesAtoB : e.bytesBtoA,
      first: e.first,
      last: e.last,
      protocols: [...e.protocols].sort(cmp),
      born: e.born,
      ...(e.part !== null ? { parts: partsOf(e, flip) } : {}),
    };
    edges.push({ a: flip ? kb : ka, b: flip ? ka : kb, states: [s] });
  }
  const dns: PartialDnsName[] = [];
  for (const [ip, names] of inv.resolved) {
    if (since !== undefined && since.dns.get(ip) === names.size) continue;
    dns.push({ site, ip, ...dnsNames(names) });
  }
  const hearsay: PartialHearsay[] = [];
  for (const [ip, n] of hearsayStamps(inv)) {
    if (since?.hearsay !== undefined && since.hearsay.get(ip) === n) continue;
    const list = n < 0 ? [] : (inv.heldHearsay().get(ip) ?? []);
    const protocols = [...new Set(list.map((h) => inv.protocolOf(h.obs.protocol)))].sort(cmp);
    hearsay.push({ site, ip, states: [{ source: sid, claimed: n < 0, facts: heldFacts(list), protocols }] });
  }
  const sources =
    o.stats === undefined
      ? []
      : [
          {
            source: sid,
            site,
            sensor: source.sensor,
            worker: source.worker ?? null,
            run: source.run ?? null,
            stats: o.stats,
          },
        ];
  return {
    version: PARTIAL_VERSION,
    sources,
    devices: devices.sort((x, y) => cmp(x.key, y.key)),
    edges: edges.sort((x, y) => cmp(edgeKey(x), edgeKey(y))),
    dns: dns.sort((x, y) => cmp(x.ip, y.ip)),
    edits: [],
    ...(hearsay.length > 0 ? { hearsay: hearsay.sort((x, y) => cmp(x.ip, y.ip)) } : {}),
  };
}

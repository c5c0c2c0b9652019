/**
 * The inventory a partial yields: its per-source facts combined (counters summed over sources, first
 * and last times the earliest and latest, sets united), routers decided again on the combined
 * addresses, then rebuilt as Inventory devices so that the JSON, the identity section and
 * classification take the very path a capture analysed whole takes (Inventory.deviceJson, Classifier).
 * A person's edits go over the result.
 */
import { Classifier, peerIndex, type CompiledRule } from '../classify';
import { applyEdits, type DeviceEdits } from './edits';
import { Edge, Inventory, ROUTER_IP_THRESHOLD, type Device } from './inventory';
import { emptyStats } from '../decode/stats';
import {
  INVENTORY_SCHEMA,
  type DeviceJson,
  type EdgeJson,
  type InventoryJson,
  type InventoryStats,
} from '../model/inventory';
import { ipv4FromString, ipv6Prefix64, macFromString } from '../util/addr';
import { isoTime } from '../util/time';
import { cmp, factKey, maxT, minT } from './partial-merge';
import type { PartialDevice, PartialFact, PartialInventory, PartialIpUse } from './partial-types';
import { PARTIAL_LIMITS } from './partial-limits';
import type { LimitStats } from './limits';

export interface FromPartialOptions {
  /** Classification rules (as the analyzer takes them); without them devices carry what the wire said. */
  rules?: readonly CompiledRule[];
  /** IEEE OUI lookup, as the analyzer takes it. */
  vendorOf?: (mac: number) => string | null;
  /** Include each device's evidence (with who heard it). */
  evidence?: boolean;
  /** Include the identity section (default true). */
  identity?: boolean;
  /**
   * Device ids: 'local' gives the id an analysis gives ("mac:…"), 'qualified' adds where it is
   * ("mac:…@site/l2domain", "ip:…@site", "overflow:…@site/sensor"); 'auto' (default) is 'local'
   * unless two devices would share an id (the same MAC at two sites), then 'qualified' for all.
   */
  ids?: 'auto' | 'local' | 'qualified';
  /** Time the inventory is stamped with (default now). */
  generatedAt?: string;
}

/** A device's facts over every source that saw it, before it is rebuilt. */
interface Combined {
  p: PartialDevice;
  sensors: Set<string>;
  first: number | null;
  last: number | null;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  router: boolean;
  routed: boolean;
  via: Set<string>;
  ip4: Map<string, PartialIpUse>;
  ip6: Map<string, PartialIpUse>;
  protocols: Set<string>;
  vlans: Set<number>;
  servedTcp: Set<number>;
  /** Ports the sources that called it a router kept (an ARP-owned address's, or seen after). */
  routerServed: Set<number>;
  facts: { f: PartialFact; sources: Set<string> }[];
  factsDropped: number;
}

const sensorOf = (source: string) => source.split('#')[0]!.split('/')[1]!;
const siteSensorOf = (source: string) => source.split('#')[0]!.split('/').slice(0, 2).join('/');

/**
 * Lists in their sources' own orders, interleaved: at each step the head heard earliest (ties: the
 * source first by id). One source's list comes back in its order, so a partial of one analysis
 * yields that analysis's order.
 */
function interleave<T>(lists: T[][], time: (t: T) => number | null): T[] {
  const at = lists.map(() => 0);
  const out: T[] = [];
  for (;;) {
    let best = -1;
    let bestT = Infinity;
    for (let i = 0; i < lists.length; i++) {
      const x = lists[i]![at[i]!];
      if (x === undefined) continue;
      const t = time(x) ?? Infinity;
      if (best < 0 || t < bestT) {
        best = i;
        bestT = t;
      }
    }
    if (best < 0) return out;
    out.push(lists[best]![at[best]!++]!);
  }
}

function emptyCombined(p: PartialDevice): Combined {
  return {
    p,
    sensors: new Set(),
    first: null,
    last: null,
    packetsSent: 0,
    packetsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    router: false,
    routed: false,
    via: new Set(),
    ip4: new Map(),
    ip6: new Map(),
    protocols: new Set(),
    vlans: new Set(),
    servedTcp: new Set(),
    routerServed: new Set(),
    facts: [],
    factsDropped: 0,
  };
}

function addIp(m: Map<string, PartialIpUse>, u: PartialIpUse): void {
  const had = m.get(u.ip);
  if (had === undefined) {
    m.set(u.ip, { ...u, served: [...u.served] });
    return;
  }
  had.packets += u.packets;
  had.bytes += u.bytes;
  had.first = minT(had.first, u.first);
  had.last = maxT(had.last, u.last);
  had.arp ||= u.arp;
  for (const port of u.served) if (!had.served.includes(port)) had.served.push(port);
}

function combine(p: PartialDevice): Combined {
  const c = emptyCombined(p);
  for (const s of p.states) {
    c.sensors.add(sensorOf(s.source));
    c.first = minT(c.first, s.first);
    c.last = maxT(c.last, s.last);
    c.packetsSent += s.packetsSent;
    c.packetsReceived += s.packetsReceived;
    c.bytesSent += s.bytesSent;
    c.bytesReceived += s.bytesReceived;
    c.router ||= s.router;
    c.routed ||= s.routed;
    for (const v of s.via) c.via.add(v);
    for (const x of s.protocols) c.protocols.add(x);
    for (const v of s.vlans) if (c.vlans.size < PARTIAL_LIMITS.vlansPerDevice) c.vlans.add(v);
    // A router's ports from before it was one are stale in its merged state (see routerServedTcp).
    for (const port of s.router ? (s.routerServedTcp ?? []) : s.servedTcp) {
      if (c.servedTcp.size < PARTIAL_LIMITS.servedPerDevice) c.servedTcp.add(port);
      if (s.router) c.routerServed.add(port);
    }
    c.factsDropped += s.factsDropped;
  }
  // A source that called the MAC a router already moved the addresses it did not own to devices of
  // their own; any still in its merged state are from a delta sent before that, and are not moved twice.
  const own = (router: boolean, u: PartialIpUse) =>
    !router || (u.ip.includes(':') ? u.ip.startsWith('fe80:') : u.arp);
  const byFamily = (v6: boolean) =>
    interleave(
      p.states.map((s) => s.ips.filter((u) => u.ip.includes(':') === v6 && own(s.router, u))),
      (u) => u.first,
    );
  for (const u of byFamily(false)) addIp(c.ip4, u);
  for (const u of byFamily(true)) addIp(c.ip6, u);
  // The same fact from several sources is one entry: counts summed, the earliest frame first.
  const facts = new Map<string, { f: PartialFact; sources: Set<string> }>();
  const tagged = p.states.map((s) => s.facts.map((f) => ({ f, source: s.source })));
  for (const { f, source } of interleave(tagged, (x) => x.f.first)) {
    const k = factKey(f.obs);
    const had = facts.get(k);
    if (had === undefined) {
      if (facts.size >= PARTIAL_LIMITS.factsPerDevice) {
        c.factsDropped++;
        continue;
      }
      facts.set(k, { f: { ...f }, sources: new Set([siteSensorOf(source)]) });
      continue;
    }
    had.sources.add(siteSensorOf(source));
    had.f.count += f.count;
    had.f.last = Math.max(had.f.last, f.last);
    // The frame is the first arrival's, as in one analysis; the time the earliest.
    if (f.first < had.f.first) had.f.first = f.first;
  }
  c.facts = [...facts.values()];
  return c;
}

/** Addresses that count towards calling a MAC a router, as Inventory counts them. */
function routable(c: Combined): number {
  const nets = new Set<string>();
  for (const ip of c.ip6.keys()) if (!ip.startsWith('fe80:')) nets.add(ipv6Prefix64(ip));
  return c.ip4.size + nets.size;
}

/**
 * Routers decided on every source's addresses at once: a MAC that sources more than the threshold
 * is a router, and the addresses it did not prove its own (ARP; link-local IPv6) become devices of
 * their own behind it, with the traffic they sent (as Inventory.becomeRouter does).
 */
function decideRouters(all: Map<string, Combined>): void {
  for (const c of [...all.values()]) {
    if (c.p.kind !== 'mac') continue;
    if (!c.router && routable(c) <= ROUTER_IP_THRESHOLD) continue;
    c.router = true;
    c.servedTcp = new Set(c.routerServed);
    const move = (u: PartialIpUse) => {
      const key = `${c.p.site}/ip:${u.ip}`;
      let r = all.get(key);
      if (r === undefined) {
        r = emptyCombined({ key, kind: 'ip', site: c.p.site, l2domain: null, id: 'ip:' + u.ip, states: [] });
        for (const s of c.sensors) r.sensors.add(s);
        (u.ip.includes(':') ? r.ip6 : r.ip4).set(u.ip, {
          ...u,
          packets: 0,
          bytes: 0,
          first: null,
          last: null,
          arp: false,
          served: [],
        });
        all.set(key, r);
      }
      r.routed = true;
      r.via.add(c.p.key);
      r.first = minT(minT(r.first, u.first), u.last);
      r.last = maxT(maxT(r.last, u.first), u.last);
      r.packetsSent += u.packets;
      r.bytesSent += u.bytes;
      for (const port of u.served) r.servedTcp.add(port);
    };
    for (const [ip, u] of c.ip4) {
      if (u.arp) {
        for (const port of u.served) c.servedTcp.add(port);
        continue;
      }
      c.ip4.delete(ip);
      move(u);
    }
    for (const [ip, u] of c.ip6) {
      if (ip.startsWith('fe80:')) {
        for (const port of u.served) c.servedTcp.add(port);
        continue;
      }
      c.ip6.delete(ip);
      move(u);
    }
  }
}

function qualifiedId(p: PartialDevice): string {
  if (p.kind === 'mac') return `${p.id}@${p.site}/${p.l2domain}`;
  if (p.kind === 'ip') return `${p.id}@${p.site}`;
  // site/sensor/id: the sensor is what lies between.
  return `${p.id}@${p.key.slice(0, p.key.length - p.id.length - 1)}`;
}

function idsOf(devices: Iterable<PartialDevice>, mode: FromPartialOptions['ids']): Map<string, string> {
  const out = new Map<string, string>();
  const list = [...devices];
  let qualify = mode === 'qualified';
  if (mode === undefined || mode === 'auto') qualify = new Set(list.map((p) => p.id)).size !== list.length;
  for (const p of list) out.set(p.key, qualify ? qualifiedId(p) : p.id);
  return out;
}

const unset = (t: number | null, none: number) => (t === null ? none : t);

function rebuild(inv: Inventory, c: Combined, id: string, ids: Map<string, string>): Device {
  const mac = c.p.kind === 'mac' ? macFromString(c.p.id.slice(4)) : -1;
  const d = inv.restore(id, mac);
  d.router = c.router;
  d.routed = c.routed;
  d.aggregate = c.p.kind === 'aggregate';
  // Routers this merge holds: a key from elsewhere is no id to show.
  for (const v of [...c.via].sort(cmp)) {
    const router = ids.get(v);
    if (router !== undefined) d.via.add(router);
  }
  const use = (u: PartialIpUse) => ({
    packets: u.packets,
    bytes: u.bytes,
    first: unset(u.first, Infinity),
    last: unset(u.last, -Infinity),
    arp: u.arp,
    served: u.served.length > 0 ? [...u.served] : null,
  });
  for (const [ip, u] of c.ip4) d.ip4.set(ipv4FromString(ip) | 0, use(u));
  for (const [ip, u] of c.ip6) d.ip6.set(ip, use(u));
  for (const x of c.protocols) d.protocols.add(x);
  for (const v of c.vlans) d.vlans.add(v);
  for (const port of c.servedTcp) d.servedTcp.add(port);
  for (const { f } of c.facts)
    d.evidence.restore({
      firstFrame: f.firstFrame,
      first: f.first,
      last: f.last,
      count: f.count,
      obs: f.obs,
    });
  d.evidence.dropped = c.factsDropped;
  d.first = unset(c.first, Infinity);
  d.last = unset(c.last, -Infinity);
  d.packetsSent = c.packetsSent;
  d.packetsReceived = c.packetsReceived;
  d.bytesSent = c.bytesSent;
  d.bytesReceived = c.bytesReceived;
  return d;
}

/** Counts by a name a partial gave: no name reaches the object's prototype. */
function addCount(r: Record<string, number>, k: string, n: number): void {
  if (k === '__proto__') return;
  r[k] = (Object.hasOwn(r, k) ? r[k]! : 0) + n;
}

function statsOf(p: PartialInventory, devices: number, edges: number): InventoryStats {
  const s = emptyStats();
  let observations = 0;
  let first: number | null = null;
  let last: number | null = null;
  const files: InventoryStats['sources'] = [];
  let limits: LimitStats | undefined;
  const unknown: Record<string, number> = {};
  for (const { stats: x } of p.sources) {
    s.packets += x.packets;
    s.bytes += x.bytes;
    s.malformed += x.malformed;
    s.snapTruncated += x.snapTruncated;
    s.laterFragments += x.laterFragments;
    s.unknownLinkType += x.unknownLinkType;
    s.dissectorErrors += x.dissectorErrors;
    s.repeats += x.repeats;
    s.retransmissions += x.retransmissions;
    s.badTimestamps += x.badTimestamps;
    for (const [k, n] of Object.entries(x.malformedBy)) addCount(s.malformedBy, k, n);
    for (const [k, n] of Object.entries(x.unknownLinkTypes ?? {})) addCount(unknown, k, n);
    observations += x.observations;
    first = minT(first, x.first);
    last = maxT(last, x.last);
    for (const f of x.files) files.push({ ...f, warnings: [...f.warnings] });
    if (x.limits !== undefined) limits = addLimits(limits, x.limits);
  }
  if (Object.keys(unknown).length > 0) s.unknownLinkTypes = unknown;
  return {
    ...s,
    observations,
    devices,
    edges,
    firstSeen: first === null ? null : isoTime(first),
    lastSeen: last === null ? null : isoTime(last),
    sources: files,
    ...(limits !== undefined ? { limits } : {}),
  };
}

/** Sources' limit counters summed; floods named once each. */
function addLimits(a: LimitStats | undefined, b: LimitStats): LimitStats {
  if (a === undefined) return { ...b, floods: [...b.floods] };
  return {
    devicesAggregated: a.devicesAggregated + b.devicesAggregated,
    addressesAggregated: a.addressesAggregated + b.addressesAggregated,
    aggregates: a.aggregates + b.aggregates,
    edgesEvicted: a.edgesEvicted + b.edgesEvicted,
    factsDropped: a.factsDropped + b.factsDropped,
    tableEntriesDropped: a.tableEntriesDropped + b.tableEntriesDropped,
    floods: [...new Set([...a.floods, ...b.floods])],
  };
}

/** The newest edits, per device key, as applyEdits takes them (a null value clears the field). */
function editsOf(p: PartialInventory): Map<string, DeviceEdits> {
  const out = new Map<string, DeviceEdits>();
  for (const e of p.edits) {
    if (e.value === null) continue;
    const had = out.get(e.device) ?? {};
    had[e.field] = e.value;
    out.set(e.device, had);
  }
  return out;
}

/**
 * The inventory of a (merged) partial, as `glasspane analyze --format json` writes one: devices sorted
 * by id, each with `site` and `sensors`, classified on the merged facts; edges sorted by their ends.
 */
export function inventoryFromPartial(p: PartialInventory, o: FromPartialOptions = {}): InventoryJson {
  const all = new Map<string, Combined>();
  for (const d of p.devices) all.set(d.key, combine(d));
  decideRouters(all);
  const ids = idsOf(
    [...all.values()].map((c) => c.p),
    o.ids,
  );
  // One inventory per site: DNS names and peers are a site's own, and a MAC may recur across sites.
  const sites = new Map<string, { inv: Inventory; devices: { d: Device; c: Combined }[] }>();
  const byKey = new Map<string, Device>();
  const order = [...all.values()].sort((x, y) => cmp(ids.get(x.p.key)!, ids.get(y.p.key)!));
  for (const c of order) {
    let s = sites.get(c.p.site);
    if (s === undefined)
      sites.set(c.p.site, (s = { inv: new Inventory({ vendorOf: o.vendorOf }), devices: [] }));
    const d = rebuild(s.inv, c, ids.get(c.p.key)!, ids);
    s.devices.push({ d, c });
    byKey.set(c.p.key, d);
  }
  for (const n of p.dns) sites.get(n.site)?.inv.resolved.set(n.ip, new Set(n.names));
  const edges: EdgeJson[] = [];
  for (const pe of p.edges) {
    const a = byKey.get(pe.a);
    const b = byKey.get(pe.b);
    // A delta may name a device whose own record has not arrived yet: the edge waits for it.
    if (a === undefined || b === undefined || a === b) continue;
    const inv = sites.get(all.get(pe.a)!.p.site)!.inv;
    if (sites.get(all.get(pe.b)!.p.site)!.inv !== inv) continue;
    const flip = a.n > b.n;
    const e = new Edge(flip ? b : a, flip ? a : b);
    e.first = Infinity;
    e.last = -Infinity;
    for (const s of pe.states) {
      e.packetsAtoB += flip ? s.packetsBtoA : s.packetsAtoB;
      e.packetsBtoA += flip ? s.packetsAtoB : s.packetsBtoA;
      e.bytesAtoB += flip ? s.bytesBtoA : s.bytesAtoB;
      e.bytesBtoA += flip ? s.bytesAtoB : s.bytesBtoA;
      e.first = Math.min(e.first, s.first);
      e.last = Math.max(e.last, s.last);
      for (const x of s.protocols) e.protocols.add(x);
    }
    const lo = e.a;
    inv.edges.set(lo.n * 67108864 + e.b.n, e);
    lo.edgeTo.set(e.b.n, e);
  }
  const classifier = o.rules !== undefined && o.rules.length > 0 ? new Classifier(o.rules) : null;
  const edits = editsOf(p);
  const devices: DeviceJson[] = [];
  for (const { inv, devices: list } of sites.values()) {
    const peers = classifier === null ? undefined : peerIndex(inv);
    for (const { d, c } of list) {
      let j = inv.deviceJson(d, o.evidence === true, o.identity !== false);
      if (classifier !== null) j = classifier.apply(j, d, inv, peers);
      if (j.evidence !== undefined)
        j.evidence = j.evidence.map((ev, i) => ({ ...ev, sources: [...c.facts[i]!.sources].sort(cmp) }));
      j = applyEdits(j, edits.get(c.p.key));
      j.site = c.p.site;
      j.sensors = [...c.sensors].sort(cmp);
      devices.push(j);
    }
    for (const e of inv.edges.values()) edges.push(inv.edgeJson(e));
  }
  devices.sort((x, y) => cmp(x.id, y.id));
  edges.sort((x, y) => cmp(x.a, y.a) || cmp(x.b, y.b));
  return {
    schema: INVENTORY_SCHEMA,
    generatedAt: o.generatedAt ?? new Date().toISOString(),
    stats: statsOf(p, devices.length, edges.length),
    devices,
    edges,
  };
}

/**
 * The inventory a partial yields: its per-source facts combined (counters summed over sources, first
 * and last times the earliest and latest, sets united), routers decided again on the combined
 * addresses, then rebuilt as Inventory devices so that the JSON, the identity section and
 * classification take the very path a capture analysed whole takes (Inventory.deviceJson, Classifier).
 * A person's edits go over the result.
 */
import { applyClassification, classify, factsOf, type CompiledRule, type PeerIndex } from '../classify';
import { applyEdits, type DeviceEdits } from './edits';
import { Device, edgeJsonOf, Inventory } from './inventory';
import { INVENTORY_SCHEMA, type DeviceJson, type EdgeJson, type InventoryJson } from '../model/inventory';
import { ipv4FromString, macFromString } from '../util/addr';
import { cmp, UNKNOWN_BORN } from './partial-merge';
import type {
  EdgeTraffic,
  PartialDevice,
  PartialDnsName,
  PartialEdge,
  PartialHearsay,
  PartialInventory,
  PartialIpUse,
} from './partial-types';
import { decideRouters, endOf, mayRoute, type Combined } from './partial-combine';
import { SiteDevices } from './partial-site-devices';
import { addTraffic, noTraffic } from './shares';
import { statsOf } from './partial-stats';
import { claimHearsay } from './partial-hearsay';

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
  /**
   * The inventory of one analysis whose worker threads were the sources (issue 19): without `site`,
   * `sensors` and evidence `sources`, devices and edges made in the order the analysis made them,
   * edges in that order, as `glasspane analyze` writes it on one thread.
   */
  local?: boolean;
  /**
   * Write only these devices (by key), and the edges with an end among them: the console's incremental
   * rebuild (partial-incremental.ts), which gives every edge record those need (a router's parts
   * through an address go to that address's device: endOf). The other devices are made only where
   * they end such an edge.
   */
  only?: ReadonlySet<string>;
  /**
   * Filled as the inventory is made, for the console's incremental rebuild: every device (address
   * devices routers make included), and what each router moved (decideRouters' `moved`).
   */
  made?: { devices: PartialDevice[]; moved: Map<string, Map<string, string>> };
}

/** A device's id where ids are qualified (docs/schema.md). */
export function qualifiedId(p: PartialDevice): string {
  if (p.kind === 'mac') return `${p.id}@${p.site}/${p.l2domain}`;
  if (p.kind === 'ip') return `${p.id}@${p.site}`;
  // site/sensor/id: the sensor is what lies between.
  return `${p.id}@${p.key.slice(0, p.key.length - p.id.length - 1)}`;
}

/** The id of each of these devices, by key (see `ids`): those a merge's routers make included. */
export function idsOf(
  devices: Iterable<PartialDevice>,
  mode: FromPartialOptions['ids'],
): Map<string, string> {
  const out = new Map<string, string>();
  const list = [...devices];
  let qualify = mode === 'qualified';
  if (mode === undefined || mode === 'auto') qualify = new Set(list.map((p) => p.id)).size !== list.length;
  for (const p of list) out.set(p.key, qualify ? qualifiedId(p) : p.id);
  return out;
}

const unset = (t: number | null, none: number) => (t === null ? none : t);

const macOf = (p: PartialDevice) => (p.kind === 'mac' ? macFromString(p.id.slice(4)) : -1);

/** A combined device's facts put into a new Device `d`. */
function rebuild(d: Device, c: Combined, ids: Map<string, string>): Device {
  d.router = c.router;
  d.routed = c.routed;
  d.aggregate = c.p.kind === 'aggregate';
  // Routers this merge holds: a key from elsewhere is no id to show.
  for (const v of [...(c.via ?? [])].sort(cmp)) {
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
    frame: u.frame ?? 0,
  });
  for (const [ip, u] of c.ip4) d.ip4.set(ipv4FromString(ip) | 0, use(u));
  for (const [ip, u] of c.ip6 ?? []) d.ip6.set(ip, use(u));
  // What was addressed to it per address while it did not route: rules read how many are not its own.
  if (!c.router)
    for (const { ip, packets, bytes, first, last } of c.rx?.values() ?? []) {
      const x = { packets, bytes, first, last };
      if (ip.includes(':')) (d.rx6 ??= new Map()).set(ip, x);
      else (d.rx4 ??= new Map()).set(ipv4FromString(ip) | 0, x);
    }
  for (const x of c.protocols) d.protocols.add(x);
  for (const v of c.vlans ?? []) d.vlans.add(v);
  for (const port of c.servedTcp ?? []) d.servedTcp.add(port);
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

/** An edge of the merge, summed over its sources' states (and their parts). */
interface MergedEdge extends EdgeTraffic {
  a: string;
  b: string;
  protocols: Set<string>;
  born: number;
}

/**
 * The merge's edges by their ends' keys: each source's state summed in, and the parts of a state
 * that went through an address of a MAC the merge finds routing summed into the edge of that
 * address's device instead (partial-combine.ts endOf), as one analysis would have made them.
 */
function edgesOf(list: readonly PartialEdge[], all: SiteDevices): Map<string, MergedEdge> {
  // Routers are combined up front, and endOf reads nothing of a device that does not route.
  const ends = { get: (k: string) => all.peek(k), has: (k: string) => all.has(k) };
  const out = new Map<string, MergedEdge>();
  const add = (x: string, y: string, s: EdgeTraffic & { protocols: readonly string[] }, born: number) => {
    if (x === y) return;
    const flip = x > y;
    const k = flip ? `${y}\n${x}` : `${x}\n${y}`;
    let e = out.get(k);
    if (e === undefined) {
      e = { a: flip ? y : x, b: flip ? x : y, ...noTraffic(), protocols: new Set(), born: Infinity };
      out.set(k, e);
    }
    addTraffic(e, s, flip);
    for (const p of s.protocols) e.protocols.add(p);
    e.born = Math.min(e.born, born);
  };
  for (const pe of list)
    for (const s of pe.states) {
      const born = s.born ?? Infinity;
      if (s.parts === undefined) {
        add(pe.a, pe.b, s, born);
        continue;
      }
      for (const part of s.parts) {
        const a = endOf(ends, pe.a, part.viaA, s.source);
        const b = endOf(ends, pe.b, part.viaB, s.source);
        if (a !== null && b !== null) add(a, b, part, born);
      }
    }
  return out;
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

/** The id each device of a (merged) partial gets in its inventory, by its key (see `ids`). */
export function partialDeviceIds(p: PartialInventory, mode?: FromPartialOptions['ids']): Map<string, string> {
  return idsOf(p.devices, mode);
}

/** A site's share of a partial: its devices, edges, names and hearsay are its own (an Inventory each). */
interface SitePart {
  devices: PartialDevice[];
  edges: PartialEdge[];
  dns: PartialDnsName[];
  hearsay: PartialHearsay[];
}

/** Keys start with their site (partial-types.ts PartialDevice), and site names hold no '/'. */
const siteOfKey = (key: string) => key.slice(0, key.indexOf('/'));

/** The partial cut by site, sites by name (their order is the order edges of one analysis come in). */
function bySite(p: PartialInventory): [string, SitePart][] {
  const out = new Map<string, SitePart>();
  const part = (site: string) => {
    let s = out.get(site);
    if (s === undefined) out.set(site, (s = { devices: [], edges: [], dns: [], hearsay: [] }));
    return s;
  };
  for (const d of p.devices) part(d.site).devices.push(d);
  // An edge is one source's (so one site's): where its first end is.
  for (const e of p.edges) part(siteOfKey(e.a)).edges.push(e);
  for (const n of p.dns) part(n.site).dns.push(n);
  for (const h of p.hearsay ?? []) part(h.site).hearsay.push(h);
  return [...out].sort(([x], [y]) => cmp(x, y));
}

/** A site's devices combined, its routers decided (and, with `settle`, each one's facts as one list). */
function combineSite(
  part: SitePart,
  local: boolean,
  moved?: Map<string, Map<string, string>>,
  settle = true,
): SiteDevices {
  const all = new SiteDevices(part.devices, local);
  decideRouters(all, moved, settle);
  all.settled = settle;
  return all;
}

/**
 * The inventory of a (merged) partial, as `glasspane analyze --format json` writes one: devices sorted
 * by id, each with `site` and `sensors`, classified on the merged facts; edges sorted by their ends.
 * Made one site at a time, since no device, edge or name crosses a site: what combining and
 * rebuilding cost in memory (several times the JSON) is held for the largest site, not for all.
 */
export function inventoryFromPartial(p: PartialInventory, o: FromPartialOptions = {}): InventoryJson {
  const local = o.local === true;
  const sites = bySite(p);
  let qualify = o.ids === 'qualified';
  if (o.ids === undefined || o.ids === 'auto') {
    // Whether two devices would share an id takes every site's, those its routers make included: a
    // first pass that keeps only the ids (routing a site that may have routers, without settling
    // facts, which routing does not need).
    const seen = new Set<string>();
    for (const [, part] of sites) {
      const heads = part.devices.some(mayRoute)
        ? combineSite(part, local, undefined, false).heads
        : part.devices;
      for (const h of heads) {
        qualify ||= seen.has(h.id);
        seen.add(h.id);
      }
      if (qualify) break;
    }
  }
  const rules = o.rules !== undefined && o.rules.length > 0 ? o.rules : null;
  const edits = editsOf(p);
  const devices: DeviceJson[] = [];
  const edges: EdgeJson[] = [];
  for (const [, part] of sites) {
    const all = combineSite(part, local, o.made?.moved);
    claimHearsay(all, part.hearsay, local);
    const heads = all.heads;
    if (o.made !== undefined) for (const h of heads) o.made.devices.push(h);
    const ids = idsOf(heads, qualify ? 'qualified' : 'local');
    buildSite(part, all, ids, o, rules, edits, devices, edges);
  }
  devices.sort((x, y) => cmp(x.id, y.id));
  // One analysis writes its edges in the order it made them.
  if (!local) edges.sort((x, y) => cmp(x.a, y.a) || cmp(x.b, y.b));
  return {
    schema: INVENTORY_SCHEMA,
    generatedAt: o.generatedAt ?? new Date().toISOString(),
    stats: statsOf(p, devices.length, edges.length),
    devices,
    edges,
  };
}

/**
 * One site's devices and edges rebuilt as an Inventory's, classified, in JSON: into `devices` and
 * `edges`. Each device is made, written and classified on its own, then let go: classification
 * reads its edges only as protocol counts per device (peerIndex), and an edge's JSON only its ends'
 * ids, so neither needs the site's devices held at once (an Inventory Device, with its sets, maps
 * and evidence, is about 3 KB: held for a whole site they were most of a rebuild's heap, and, living
 * through many scavenges, most of its collection time).
 */
function buildSite(
  part: SitePart,
  all: SiteDevices,
  ids: Map<string, string>,
  o: FromPartialOptions,
  rules: readonly CompiledRule[] | null,
  edits: Map<string, DeviceEdits>,
  devices: DeviceJson[],
  edges: EdgeJson[],
): void {
  // No devices are held here: the inventory lends its OUI lookup and DNS names to deviceJson.
  const inv = new Inventory({ vendorOf: o.vendorOf });
  // Devices are numbered in the order they are made here, and an edge is written from its lower
  // number: one analysis's workers make them in the order that analysis did (born), others by id.
  const local = o.local === true;
  const only = o.only;
  // With `only`, the caller gives the edges those devices need (some may join them only through
  // parts a router's address takes: partial-incremental.ts), and those devices' edges are written.
  // The edges first: they read the combined devices (routers, their addresses), which then go one
  // by one as their devices are made, so the two are not held whole at once.
  const made = [...edgesOf(part.edges, all).values()];
  if (local) made.sort((x, y) => x.born - y.born);
  let wanted: Set<string> | undefined;
  if (only !== undefined) {
    wanted = new Set(only);
    for (const e of made) if (only.has(e.a) || only.has(e.b)) wanted.add(e.a).add(e.b);
  }
  const born = local ? new Map(all.heads.map((h) => [h.key, all.born(h.key)])) : null;
  const order = all.heads
    .map((h) => h.key)
    .filter((k) => wanted === undefined || wanted.has(k))
    .sort((x, y) => (born !== null ? born.get(x)! - born.get(y)! : 0) || cmp(ids.get(x)!, ids.get(y)!));
  /** Each device's number (its place in `order`) by key. */
  const number = new Map<string, number>();
  for (let i = 0; i < order.length; i++) number.set(order[i]!, i);
  // One analysis's names in the order it learnt them (the partial's); other sources' by name.
  for (const n of part.dns) {
    const names = n.names.map((name, i): [string, number] => [name, n.born?.[i] ?? UNKNOWN_BORN]);
    if (!local) names.sort(([x], [y]) => cmp(x, y));
    inv.resolved.set(n.ip, new Map(names));
  }
  // Per device key, each protocol's count over its edges, counted as peerIndex counts them (edges in
  // the order an Inventory holds them, each from its lower number).
  const peers = new Map<string, Record<string, number>>();
  const count = (key: string, p: string) => {
    let r = peers.get(key);
    if (r === undefined) peers.set(key, (r = {}));
    r[p] = (r[p] ?? 0) + 1;
  };
  for (const pe of made) {
    const na = number.get(pe.a);
    const nb = number.get(pe.b);
    // A delta may name a device whose own record has not arrived yet: the edge waits for it.
    if (na === undefined || nb === undefined) continue;
    const flip = na > nb;
    const [lo, hi] = flip ? [pe.b, pe.a] : [pe.a, pe.b];
    if (rules !== null)
      for (const p of pe.protocols) {
        count(lo, p);
        count(hi, p);
      }
    // An edge of two devices not shown may lack parts read for neither: not written.
    if (only !== undefined && !only.has(lo) && !only.has(hi)) continue;
    const traffic = noTraffic();
    addTraffic(traffic, pe, flip);
    edges.push(edgeJsonOf(ids.get(lo)!, ids.get(hi)!, { ...traffic, protocols: pe.protocols }));
  }
  made.length = 0;
  /** What the Device's constructor records it in (a change stream no one reads here). */
  const changed: Device[] = [];
  /** The one device classified at a time, as classify's facts take peers. */
  const one: PeerIndex = new Map();
  for (let i = 0; i < order.length; i++) {
    const key = order[i]!;
    if (only !== undefined && !only.has(key)) continue;
    // Combined now if it was not yet, and no longer held by `all`.
    const c = all.take(key)!;
    const d = rebuild(new Device(i, ids.get(key)!, macOf(c.p), changed), c, ids);
    changed.length = 0;
    let j = inv.deviceJson(d, o.evidence === true, o.identity !== false);
    // Classified once each, so without a Classifier's cache (which would hold every classification).
    if (rules !== null) {
      const p = peers.get(key);
      if (p !== undefined) one.set(d, p);
      j = applyClassification(j, classify(factsOf(d, inv, one), rules));
      one.clear();
    }
    if (j.evidence !== undefined && !local)
      j.evidence = j.evidence.map((ev, k) => ({ ...ev, sources: [...c.facts[k]!.sources].sort(cmp) }));
    j = applyEdits(j, edits.get(key));
    if (!local) {
      j.site = c.p.site;
      j.sensors = [...c.sensors].sort(cmp);
    }
    devices.push(j);
  }
}

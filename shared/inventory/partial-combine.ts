/**
 * A device's facts over every source that saw it (partial-inventory.ts rebuilds devices from them):
 * counters summed over sources, first and last times the earliest and latest, sets united, facts
 * heard by several sources one entry; then routers decided again on every source's addresses.
 */
import { ROUTER_IP_THRESHOLD } from './inventory';
import { ipv6Prefix64 } from '../util/addr';
import { factKeyOnce, maxT, minT } from './partial-merge';
import type { PartialDevice, PartialFact, PartialIpUse, PartialRxUse } from './partial-types';
import { PARTIAL_LIMITS } from './partial-limits';

/** A device's facts over every source that saw it, before it is rebuilt. */
export interface Combined {
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
  // The sets and maps most devices leave empty are null until written (`??=`): a site's devices are
  // all combined at once, and an empty Set or Map costs about 150 bytes.
  via: Set<string> | null;
  ip4: Map<string, PartialIpUse>;
  ip6: Map<string, PartialIpUse> | null;
  /** What was addressed to it per address, from sources that did not call it a router. */
  rx: Map<string, PartialRxUse> | null;
  protocols: Set<string>;
  vlans: Set<number> | null;
  servedTcp: Set<number> | null;
  /** Ports the sources that called it a router kept (an ARP-owned address's, or seen after). */
  routerServed: Set<number> | null;
  /** `at`, in a merge of one capture's workers: where one analysis would have put the fact (inFrameOrder). */
  facts: { f: PartialFact; sources: Set<string>; at?: number }[];
  /**
   * The facts by source, each list in its source's order, until decideRouters settles them into
   * `facts`: a fact heard through an address (PartialFact.via) moves with it if the MAC routes.
   */
  factLists: { source: string; list: PartialFact[] }[];
  /** Facts go in frame order (see combine's `byFrame`). */
  byFrame: boolean;
  /** Protocols by address, from sources that did not call it a router (PartialDeviceState.viaProtocols). */
  viaProtocols: Map<string, Set<string>> | null;
  /** Sources that called it a router: what they list through its addresses is from before, and moved. */
  routerSources: Set<string> | null;
  factsDropped: number;
  /** The earliest making any source knows (Infinity: none says). */
  born: number;
}

const sensorOf = (source: string) => source.split('#')[0]!.split('/')[1]!;
export const siteSensorOf = (source: string) => source.split('#')[0]!.split('/').slice(0, 2).join('/');

/**
 * Lists in their sources' own orders, interleaved: at each step the head heard earliest (ties: the
 * source first by id). One source's list comes back in its order, so a partial of one analysis
 * yields that analysis's order.
 */
export function interleave<T>(lists: T[][], time: (t: T) => number | null): T[] {
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

export function emptyCombined(p: PartialDevice): Combined {
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
    via: null,
    ip4: new Map(),
    ip6: null,
    rx: null,
    protocols: new Set(),
    vlans: null,
    servedTcp: null,
    routerServed: null,
    facts: [],
    factLists: [],
    byFrame: false,
    viaProtocols: null,
    routerSources: null,
    factsDropped: 0,
    born: Infinity,
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
  if (u.frame !== undefined && (had.frame === undefined || u.frame < had.frame)) had.frame = u.frame;
  for (const port of u.served) if (!had.served.includes(port)) had.served.push(port);
}

function addRx(m: Map<string, PartialRxUse>, u: PartialRxUse): void {
  const had = m.get(u.ip);
  if (had === undefined) {
    if (m.size < PARTIAL_LIMITS.ipsPerDevice) m.set(u.ip, { ...u });
    return;
  }
  had.packets += u.packets;
  had.bytes += u.bytes;
  had.first = Math.min(had.first, u.first);
  had.last = Math.max(had.last, u.last);
}

/** Facts of a SYN signature observer (protocol `tcp`), which runs once the frame is accounted. */
export const heardAfterAccounting = (f: PartialFact): boolean => f.obs.protocol === 'tcp';

/**
 * A device's facts from the workers of one capture, in the order one analysis appends them: by
 * frame, a SYN's signature last in its frame. A fact stated about an address (a DHCP server naming
 * its DNS server) before any device took it waits, and one analysis appends it when a device takes
 * the address: such a fact goes where the address was taken in the capture as a whole (the earliest
 * of the workers' `frame`, which a router's address device keeps from its MAC), not where it was
 * heard, nor where its own worker's device took it (later, where another worker's frames gave the
 * address first). Ties keep the workers' order.
 */
function inFrameOrder<T extends { f: PartialFact; at: number }>(c: Combined, lists: T[][]): T[] {
  const all: { x: T; i: number; j: number }[] = [];
  lists.forEach((list, i) => {
    list.forEach((x, j) => {
      x.at = x.f.firstFrame + (heardAfterAccounting(x.f) ? 0.5 : 0);
      const ip = x.f.obs.device.mac === null ? x.f.obs.device.ip : null;
      const took =
        ip === null || c.p.kind === 'aggregate'
          ? undefined
          : (ip.includes(':') ? c.ip6 : c.ip4)?.get(ip)?.frame;
      // Taken when that frame was accounted: after the frame's own facts, before its SYN's.
      if (took !== undefined && took >= x.f.firstFrame) x.at = took + 0.25;
      all.push({ x, i, j });
    });
  });
  all.sort((a, b) => a.x.at - b.x.at || a.i - b.i || a.j - b.j);
  return all.map((e) => e.x);
}

/** When a device was made: the earliest its sources say (Infinity where none says). */
export function bornOf(p: PartialDevice): number {
  let born = Infinity;
  for (const s of p.states) if (s.born !== undefined && s.born < born) born = s.born;
  return born;
}

/**
 * `byFrame`: the sources are workers of one capture, which number frames alike: facts go in frame
 * order, the order one analysis heard them in (inFrameOrder; time order differs where the capture's
 * clock steps back, or frames share a time).
 */
export function combine(p: PartialDevice, byFrame = false): Combined {
  const c = emptyCombined(p);
  c.born = bornOf(p);
  for (const s of p.states) {
    c.sensors.add(sensorOf(s.source));
    c.first = minT(c.first, s.first);
    c.last = maxT(c.last, s.last);
    // What the source moved to routed devices is theirs (they carry it in their own states).
    c.packetsSent += Math.max(0, s.packetsSent - (s.routedPackets ?? 0));
    c.packetsReceived += Math.max(0, s.packetsReceived - (s.routedReceivedPackets ?? 0));
    c.bytesSent += Math.max(0, s.bytesSent - (s.routedBytes ?? 0));
    c.bytesReceived += Math.max(0, s.bytesReceived - (s.routedReceivedBytes ?? 0));
    // A source that called it a router moved these already (any left are from an earlier delta).
    if (!s.router) for (const u of s.received ?? []) addRx((c.rx ??= new Map()), u);
    c.router ||= s.router;
    c.routed ||= s.routed;
    for (const v of s.via) (c.via ??= new Set()).add(v);
    for (const x of s.protocols) c.protocols.add(x);
    for (const v of s.vlans) if ((c.vlans ??= new Set()).size < PARTIAL_LIMITS.vlansPerDevice) c.vlans.add(v);
    // A router's ports from before it was one are stale in its merged state (see routerServedTcp).
    for (const port of s.router ? (s.routerServedTcp ?? []) : s.servedTcp) {
      if ((c.servedTcp ??= new Set()).size < PARTIAL_LIMITS.servedPerDevice) c.servedTcp.add(port);
      if (s.router) (c.routerServed ??= new Set()).add(port);
    }
    c.factsDropped += s.factsDropped;
    if (s.router) (c.routerSources ??= new Set()).add(s.source);
    else
      for (const v of s.viaProtocols ?? []) {
        const by = (c.viaProtocols ??= new Map<string, Set<string>>());
        let set = by.get(v.ip);
        if (set === undefined) by.set(v.ip, (set = new Set()));
        for (const x of v.protocols) set.add(x);
      }
  }
  // A source that called the MAC a router already moved the addresses it did not own to devices of
  // their own; any still in its merged state are from a delta sent before that, and are not moved twice.
  const own = (router: boolean, u: PartialIpUse) =>
    !router || (u.ip.includes(':') ? u.ip.startsWith('fe80:') : u.arp);
  // In the order the device took them: by frame for one capture's workers (time steps back where
  // captures are joined), else by time.
  const byFamily = (v6: boolean) =>
    interleave(
      p.states.map((s) => s.ips.filter((u) => u.ip.includes(':') === v6 && own(s.router, u))),
      (u) => (byFrame ? (u.frame ?? u.first) : u.first),
    );
  for (const u of byFamily(false)) addIp(c.ip4, u);
  for (const u of byFamily(true)) addIp((c.ip6 ??= new Map()), u);
  // A source that called it a router moved what it heard through the addresses it did not own.
  c.factLists = p.states.map((s) => ({
    source: s.source,
    list: s.router ? s.facts.filter((f) => f.via === undefined) : s.facts,
  }));
  c.byFrame = byFrame;
  return c;
}

/** The facts of every source as one list (decideRouters moved those it moves): see Combined.factLists. */
export function settleFacts(c: Combined): void {
  // The same fact from several sources (or addresses) is one entry: counts summed, the earliest frame first.
  const byFrame = c.byFrame;
  const facts = new Map<string, { f: PartialFact; sources: Set<string>; at?: number }>();
  // Each fact's sources are named by site and sensor: one name per source's list, not per fact.
  const tagged = c.factLists.map((l) => {
    const source = siteSensorOf(l.source);
    return l.list.map((f) => ({ f, source, at: 0 }));
  });
  c.factLists = [];
  const ordered = byFrame ? inFrameOrder(c, tagged) : interleave(tagged, (x) => x.f.first);
  for (const { f, source, at } of ordered) {
    const k = factKeyOnce(f.obs);
    const had = facts.get(k);
    if (had === undefined) {
      if (facts.size >= PARTIAL_LIMITS.factsPerDevice) {
        c.factsDropped++;
        continue;
      }
      const { via: _via, ...own } = f;
      facts.set(k, { f: own, sources: new Set([source]), ...(byFrame ? { at } : {}) });
      continue;
    }
    had.sources.add(source);
    had.f.count += f.count;
    had.f.last = Math.max(had.f.last, f.last);
    // The frame is the first arrival's, as in one analysis; the time the earliest.
    if (f.first < had.f.first) had.f.first = f.first;
  }
  c.facts = [...facts.values()];
  for (const set of c.viaProtocols?.values() ?? []) for (const x of set) c.protocols.add(x);
  c.viaProtocols = null;
}

/** An address a router keeps (by ARP, or link-local), once decideRouters moved the others. */
const ownsAddress = (c: Combined, ip: string) => c.ip4.has(ip) || c.ip6?.has(ip) === true;

/**
 * The key of an edge's end in a merge: the device, or for a part heard through an address of a MAC
 * the merge finds routing (and the address is not its own), that address's device; null for a part
 * its source already moved (the source called the MAC a router).
 */
export function endOf(
  all: Pick<ReadonlyMap<string, Combined>, 'get' | 'has'>,
  key: string,
  via: string | null,
  source: string,
): string | null {
  if (via === null) return key;
  const c = all.get(key);
  if (c === undefined || c.p.kind !== 'mac') return key;
  if (!c.router || ownsAddress(c, via)) return key;
  if (c.routerSources?.has(source) === true) return null;
  const r = `${c.p.site}/ip:${via}`;
  return all.has(r) ? r : key;
}

/** Addresses that count towards calling a MAC a router, as Inventory counts them. */
function routable(c: Combined): number {
  const nets = new Set<string>();
  for (const ip of c.ip6?.keys() ?? []) if (!ip.startsWith('fe80:')) nets.add(ipv6Prefix64(ip));
  return c.ip4.size + nets.size;
}

/**
 * Whether decideRouters may call this device a router: a source said so, or its sources list more
 * addresses between them than a router needs (an upper bound on routable's count, without combining).
 */
export function mayRoute(p: PartialDevice): boolean {
  if (p.kind !== 'mac') return false;
  let n = 0;
  for (const s of p.states) {
    if (s.router) return true;
    n += s.ips.length;
  }
  return n > ROUTER_IP_THRESHOLD;
}

/**
 * Routers decided on every source's addresses at once: a MAC that sources more than the threshold
 * is a router, and the addresses it did not prove its own (ARP; link-local IPv6) become devices of
 * their own behind it, with the traffic they sent (as Inventory.becomeRouter does).
 * `moved`, when given, gets per router key what it moved, per address device key: the console's
 * incremental rebuild (partial-incremental.ts) redoes an address device when that changes.
 * Without `settle`, facts stay by source (`factLists`): enough to know which devices there are.
 */
export function decideRouters(
  all: Map<string, Combined>,
  moved?: Map<string, Map<string, string>>,
  settle = true,
): void {
  for (const c of [...all.values()]) {
    if (c.p.kind !== 'mac') continue;
    if (!c.router && routable(c) <= ROUTER_IP_THRESHOLD) continue;
    c.router = true;
    c.servedTcp = new Set(c.routerServed);
    const served = c.servedTcp;
    const to = new Map<string, string>();
    moved?.set(c.p.key, to);
    // The first router to make an address device gives it its sensors: they are part of what it moved.
    const sensors = moved === undefined ? '' : [...c.sensors].sort().join(' ');
    const tell = (r: Combined, what: string, u: object) => {
      if (moved !== undefined) to.set(r.p.key, (to.get(r.p.key) ?? sensors) + what + JSON.stringify(u));
    };
    const routed = (ip: string): Combined => {
      const key = `${c.p.site}/ip:${ip}`;
      let r = all.get(key);
      if (r === undefined) {
        r = emptyCombined({ key, kind: 'ip', site: c.p.site, l2domain: null, id: 'ip:' + ip, states: [] });
        r.byFrame = c.byFrame;
        for (const s of c.sensors) r.sensors.add(s);
        (ip.includes(':') ? (r.ip6 ??= new Map()) : r.ip4).set(ip, {
          ip,
          seq: 0,
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
      (r.via ??= new Set()).add(c.p.key);
      return r;
    };
    const move = (u: PartialIpUse) => {
      const r = routed(u.ip);
      tell(r, '\nsent ', u);
      // Held since the MAC took it (as Inventory.becomeRouter keeps): where hearsay about it goes.
      const held = (u.ip.includes(':') ? r.ip6 : r.ip4)?.get(u.ip);
      if (held !== undefined && u.frame !== undefined && (held.frame === undefined || u.frame < held.frame))
        held.frame = u.frame;
      r.first = minT(minT(r.first, u.first), u.last);
      r.last = maxT(maxT(r.last, u.first), u.last);
      r.packetsSent += u.packets;
      r.bytesSent += u.bytes;
      // Only sources that had not called it a router still count these on the MAC (the others moved
      // them, and list only its own addresses): they leave it, as Inventory.becomeRouter does.
      c.packetsSent = Math.max(0, c.packetsSent - u.packets);
      c.bytesSent = Math.max(0, c.bytesSent - u.bytes);
      for (const port of u.served) (r.servedTcp ??= new Set()).add(port);
    };
    for (const [ip, u] of c.ip4) {
      if (u.arp) {
        for (const port of u.served) served.add(port);
        continue;
      }
      c.ip4.delete(ip);
      move(u);
    }
    for (const [ip, u] of c.ip6 ?? []) {
      if (ip.startsWith('fe80:')) {
        for (const port of u.served) served.add(port);
        continue;
      }
      c.ip6!.delete(ip);
      move(u);
    }
    // What was addressed to it for addresses it does not own goes to their devices too.
    for (const [ip, u] of c.rx ?? []) {
      if (ownsAddress(c, ip)) continue;
      const r = routed(ip);
      tell(r, '\nreceived ', u);
      r.first = minT(minT(r.first, u.first), u.last);
      r.last = maxT(maxT(r.last, u.first), u.last);
      r.packetsReceived += u.packets;
      r.bytesReceived += u.bytes;
      c.packetsReceived = Math.max(0, c.packetsReceived - u.packets);
      c.bytesReceived = Math.max(0, c.bytesReceived - u.bytes);
    }
    c.rx = null;
    // Facts and protocols heard through addresses it does not own go with them (edges: endOf).
    for (const l of c.factLists) {
      const away = new Map<string, PartialFact[]>();
      const keep: PartialFact[] = [];
      for (const f of l.list) {
        if (f.via === undefined || ownsAddress(c, f.via)) keep.push(f);
        else {
          const list = away.get(f.via);
          if (list === undefined) away.set(f.via, [f]);
          else list.push(f);
        }
      }
      l.list = keep;
      for (const [ip, list] of away) {
        const r = routed(ip);
        tell(r, '\nfacts ', list);
        r.factLists.push({ source: l.source, list });
      }
    }
    for (const [ip, set] of c.viaProtocols ?? []) {
      if (ownsAddress(c, ip)) continue;
      const r = routed(ip);
      tell(r, '\nprotocols ', [...set]);
      for (const x of set) r.protocols.add(x);
      c.viaProtocols!.delete(ip);
    }
  }
  if (settle) for (const c of all.values()) settleFacts(c);
}

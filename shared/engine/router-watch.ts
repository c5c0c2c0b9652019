/**
 * Which MACs route, decided where every frame passes (issue 19). One analysis calls a MAC a router
 * once it has sourced more than ROUTER_IP_THRESHOLD addresses (inventory.ts, `routable`); workers
 * sharing a capture each see a part of its frames and would decide later or never, so what they
 * account to the MAC (edges, protocols, facts about the addresses it routes for) differs from one
 * analysis. The reader counts the same addresses from the frames' fixed offsets and tells every
 * worker, before the frame that makes the MAC a router, that it routes from there on.
 *
 * It counts what the inventory counts from plain frames: the IPv4 source of Ethernet frames (VLAN
 * tags allowed), the sender of an ARP, and IPv6 sources once per /64 (link-local never). Frames whose
 * addresses the decoder would replace (tunnels, IPv6 extension headers) are not counted, and
 * addresses the inventory binds from observations are not seen here, so the watch may decide later
 * than one analysis (then the worker's own decision stands, as before), not earlier. Bounded: MACs
 * past MAX_MACS are left to the workers.
 */
import { ROUTER_IP_THRESHOLD } from '../inventory/inventory';
import { ipv4IsUnicastHost } from '../util/addr';
import { LINKTYPE_ETHERNET } from '../decode/linktypes';
import type { Layer } from '../decode/layer';
import { mac48 } from './ether-offsets';
import { LinkOffsets } from './link-offsets';

const MAX_MACS = 1 << 16;
const BROADCAST = 0xffffffffffff;
/** IP protocols the decoder reads as such (anything else with a layer may be a tunnel). */
const PLAIN_PROTOCOLS = new Set([1, 6, 17, 58]);

/** Addresses a router owns by ARP, kept and told at most (the rest are left to the workers). */
const MAX_OWNED = 16;

interface Seen {
  /** Distinct addresses counted: IPv4 as numbers, IPv6 /64s as text. */
  addrs: (number | string)[];
  /** The IPv4 addresses among them it answered ARP for (its own, even once it routes). */
  owned: number[];
  decided: boolean;
}

/** What a frame told: nothing, a MAC that routes from it on, or an address a router owns by ARP. */
export const WATCH_NONE = 0;
export const WATCH_ROUTER = 1;
export const WATCH_OWNS = 2;

export class RouterWatch {
  private readonly macs = new Map<number, Seen>();
  /** By IP protocol and by UDP port, 1 where the decoder opens a tunnel: a byte read per frame, not a Set. */
  private readonly tunnelProtocols = new Uint8Array(256);
  private readonly tunnelPorts = new Uint8Array(65536);
  /** The last (MAC, address) counted: most frames repeat it. */
  private lastMac = -1;
  private lastAddr: number | string = -1;
  /** When lastAddr is an IPv6 /64: its 8 bytes, so a repeat is known before its text is made. */
  private lastNetHi = 0;
  private lastNetLo = 0;
  private lastV6 = false;
  private readonly link = new LinkOffsets();
  /** After a frame() that told something: the MAC, and its ARP-owned IPv4 addresses (as `| 0`). */
  mac = -1;
  owned: readonly number[] = [];

  constructor(
    layers: readonly Layer[],
    /** MACs watched at most. */
    private readonly limit = MAX_MACS,
  ) {
    for (const l of layers) {
      for (const x of l.ipProtocols ?? []) if (!PLAIN_PROTOCOLS.has(x)) this.tunnelProtocols[x & 255] = 1;
      for (const x of l.udpPorts ?? []) this.tunnelPorts[x & 0xffff] = 1;
    }
  }

  /**
   * What this frame tells the workers (WATCH_*): WATCH_ROUTER, `mac` (as the decoder numbers it)
   * routes from this frame on, and `owned` lists the addresses it proved its own by ARP; WATCH_OWNS,
   * the router `mac` answered ARP for `owned[0]`. Never throws: a frame too short for what it claims
   * counts nothing.
   */
  frame(b: Uint8Array, start: number, end: number, lt: number): number {
    const link = this.link.read(b, start, end, lt);
    return this.frameAt(b, start, end, lt, link.type, link.net);
  }

  /** frame(), with the frame's LinkOffsets (`type`, `net`) read already. */
  frameAt(b: Uint8Array, start: number, end: number, lt: number, type: number, ip: number): number {
    if (lt !== LINKTYPE_ETHERNET || ip < 0) return WATCH_NONE;
    if (type === 0x0806) return this.arp(b, ip, end);
    const src = mac48(b, start + 6);
    if (src === BROADCAST) return WATCH_NONE;
    if (type === 0x0800) {
      if (ip + 20 > end || b[ip]! >> 4 !== 4) return WATCH_NONE;
      const a = ((b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!) >>> 0;
      if (!ipv4IsUnicastHost(a)) return WATCH_NONE;
      if (this.tunnels(b, ip, end, b[ip + 9]!, (b[ip]! & 15) * 4)) return WATCH_NONE;
      return this.count(src, a | 0, false);
    }
    if (type === 0x86dd) {
      if (ip + 40 > end || b[ip]! >> 4 !== 6) return WATCH_NONE;
      const next = b[ip + 6]!;
      // Past an extension header the decoder may find a tunnel this does not look for.
      if (!PLAIN_PROTOCOLS.has(next) || this.tunnels(b, ip, end, next, 40)) return WATCH_NONE;
      const g = (b[ip + 8]! << 8) | b[ip + 9]!;
      // Link-local is never forwarded; the inventory leaves out multicast and the unspecified address
      // by their text (a first group written "ff...").
      if (g === 0xfe80 || g >= 0xff00 || (g >= 0xff0 && g <= 0xfff) || g === 0xff) return WATCH_NONE;
      let zero = true;
      for (let i = 8; i < 24 && zero; i++) zero = b[ip + i] === 0;
      if (zero) return WATCH_NONE;
      const hi = (g << 16) | (b[ip + 10]! << 8) | b[ip + 11]!;
      const lo = (b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!;
      // The same sender and /64 as the last frame counted: nothing new, and no text to make.
      if (src === this.lastMac && this.lastV6 && hi === this.lastNetHi && lo === this.lastNetLo)
        return WATCH_NONE;
      this.lastNetHi = hi;
      this.lastNetLo = lo;
      let net = '';
      for (let i = 8; i < 16; i += 2) net += ((b[ip + i]! << 8) | b[ip + i + 1]!).toString(16) + ':';
      return this.count(src, net, false);
    }
    return WATCH_NONE;
  }

  private arp(b: Uint8Array, at: number, end: number): number {
    if (at + 28 > end) return WATCH_NONE;
    // Ethernet/IPv4 ARP with an operation, as the decoder records its addresses.
    if ((b[at]! << 8) + b[at + 1]! !== 1 || (b[at + 2]! << 8) + b[at + 3]! !== 0x0800) return WATCH_NONE;
    if (b[at + 4] !== 6 || b[at + 5] !== 4 || (b[at + 6]! << 8) + b[at + 7]! === 0) return WATCH_NONE;
    const sha = mac48(b, at + 8);
    if (sha <= 0 || sha === BROADCAST) return WATCH_NONE;
    const spa = ((b[at + 14]! << 24) | (b[at + 15]! << 16) | (b[at + 16]! << 8) | b[at + 17]!) >>> 0;
    if (!ipv4IsUnicastHost(spa)) return WATCH_NONE;
    return this.count(sha, spa | 0, true);
  }

  /** Whether the decoder would open this IP payload as a tunnel (its inner addresses count instead). */
  private tunnels(b: Uint8Array, ip: number, end: number, proto: number, hl: number): boolean {
    if (this.tunnelProtocols[proto] === 1) return true;
    if (proto !== 17 || ip + hl + 4 > end) return false;
    const u = ip + hl;
    return (
      this.tunnelPorts[(b[u]! << 8) | b[u + 1]!] === 1 || this.tunnelPorts[(b[u + 2]! << 8) | b[u + 3]!] === 1
    );
  }

  private count(mac: number, addr: number | string, arp: boolean): number {
    if (mac === this.lastMac && addr === this.lastAddr && !arp) return WATCH_NONE;
    this.lastMac = mac;
    this.lastAddr = addr;
    this.lastV6 = typeof addr === 'string';
    let s = this.macs.get(mac);
    if (s === undefined) {
      if (this.macs.size >= this.limit) return WATCH_NONE;
      this.macs.set(mac, (s = { addrs: [], owned: [], decided: false }));
    }
    if (arp && typeof addr === 'number' && !s.owned.includes(addr) && s.owned.length < MAX_OWNED) {
      s.owned.push(addr);
      if (s.decided) {
        this.mac = mac;
        this.owned = [addr];
        return WATCH_OWNS;
      }
    }
    if (s.decided || s.addrs.includes(addr)) return WATCH_NONE;
    s.addrs.push(addr);
    if (s.addrs.length <= ROUTER_IP_THRESHOLD) return WATCH_NONE;
    s.decided = true;
    s.addrs = [];
    this.mac = mac;
    this.owned = s.owned;
    return WATCH_ROUTER;
  }
}

import type { Packet } from '../decode/packet';
import type { DeviceRef, Observation } from '../model/observation';
import type { DeviceJson, EdgeJson } from '../model/inventory';
import type { EdgeTraffic } from './partial-types';
import {
  ipv4FromString,
  ipv4ToString,
  ipv4IsUnicastHost,
  ipv4KeyIsUnicastHost,
  macFromString,
  macIsGroup,
  macIsLocal,
  macToString,
  ipv6Prefix64,
} from '../util/addr';
import { Evidence, factKey } from './evidence';
import {
  addPart,
  addTraffic,
  emptyPart,
  noTraffic,
  findPart,
  partKey,
  partList,
  putPart,
  Share,
  SHARE_IDS,
  takeParts,
  type Parted,
  type EdgePart,
} from './shares';
import { identityOf } from './identity';
import { StackMemo } from './stack-memo';
import { isoTime } from '../util/time';
import {
  DEFAULT_LIMITS,
  MAX_SEGMENTS,
  MAX_VIA_PER_DEVICE,
  MAX_VLANS_PER_DEVICE,
  type FloodEvent,
  type InventoryLimits,
  type LimitStats,
} from './limits';

/** A MAC that sources more distinct IP addresses than this is a router (as GROUND_TRUTH.md counts). */
export const ROUTER_IP_THRESHOLD = 4;
/** Addresses kept per device before it is called a router: small, so hostile floods cannot grow it. */
const MAX_OWN_IPS = 64;
/** Framing layers that say nothing about a device. */
const BROADCAST = 0xffffffffffff;
/** Addresses whose DNS names are remembered. */
const MAX_RESOLVED = 65536;
/** Listening ports kept per device. */
const MAX_SERVED = 256;
/**
 * Protocols whose address bindings describe the device itself (not a name it looked up). FINS: a
 * request's destination address is the PLC's own (a FINS server polled but never heard answering
 * would otherwise keep only its MAC); a MAC that later proves a router still moves routed addresses
 * to their own devices.
 */
/** The `born` within its frame of the devices a new router's addresses get (becomeRouter). */
const MOVE_SLOT = 2048;

const SELF_BINDING = new Set(['dhcp', 'dhcpv6', 'mdns', 'llmnr', 'nbns', 'arp', 'fins']);
const SILENT = new Set(['ethernet', 'sll', 'sll2', 'raw', 'loopback', 'llc', 'snap']);

export interface IpUse {
  packets: number;
  bytes: number;
  first: number;
  last: number;
  /** Bound by ARP (the device answered for it): its own, even on a router. */
  arp: boolean;
  /** TCP ports served from this address, so they can follow it if the MAC turns out to be a router. */
  served: number[] | null;
  /** The frame in which the device took it: where a merge puts hearsay about it that it claims. */
  frame: number;
}

/** A fact stated about an address no device holds yet: as first heard, how often, and when last. */
export interface HeldFact {
  readonly obs: Observation;
  count: number;
  last: number;
}

/** Frames addressed to a MAC for one address on its side, while the MAC is not known to route. */
export interface RxUse {
  packets: number;
  bytes: number;
  first: number;
  last: number;
}

export class Device {
  /** Dense index, for edge keys. */
  readonly n: number;
  readonly id: string;
  readonly mac: number;
  router = false;
  routed = false;
  /** A bucket for identities past a limit (overflow MACs, a /64, a router's far side): no facts attach. */
  aggregate = false;
  readonly via = new Set<string>();
  /**
   * Keyed by the address as a signed 32-bit integer (`ip | 0`): a small integer for the Map, where
   * addresses above 128.0.0.0 as unsigned numbers are boxed on every lookup. Read keys with `>>> 0`.
   */
  readonly ip4 = new Map<number, IpUse>();
  readonly ip6 = new Map<string, IpUse>();
  /**
   * What was addressed to it per destination address (IPv4 keyed as ip4, IPv6 by text) while it was
   * not known to route, so that if it turns out to route, what was sent to the addresses it routes
   * for goes to their devices as if that had been known from the start. Null once a router. Bounded.
   */
  rx4: Map<number, RxUse> | null = null;
  rx6: Map<string, RxUse> | null = null;
  /**
   * The entries of ip4 and rx4 the last frame sent from it (to it) counted on, by their key: most
   * frames repeat them. Entries only leave those maps when it becomes a router, which clears these.
   */
  lastIp4Key = 0;
  lastIp4: IpUse | null = null;
  lastRx4Key = 0;
  lastRx4: RxUse | null = null;
  /**
   * While it is not known to route: its edges, protocols and facts by the address they went through
   * (keyed as ip4, IPv6 by text), and what stays its own whatever it turns out to be (shares.ts).
   * Null until used, and once a router.
   */
  shares: Map<number | string, Share> | null = null;
  stays: Share | null = null;
  /** The share the last frame went through: most frames repeat it. */
  lastShareKey: number | string = -1;
  lastShare: Share | null = null;
  readonly protocols = new Set<string>();
  readonly vlans = new Set<number>();
  /** The protocol stacks of the last frames it sent, to skip re-adding the same names. */
  readonly stacks = new StackMemo();
  /**
   * The share its last frame sent went through (null: none), whose stack memo then ends with that
   * frame's stack as this device's does: see Inventory.packet.
   */
  stackShare: Share | null = null;
  /** TCP ports this device accepted connections on (it sent SYN-ACK from them). */
  readonly servedTcp = new Set<number>();
  /**
   * Edges to devices numbered higher, by their number: the per-packet lookup (small integers as
   * keys; the inventory-wide key, a product of two device numbers, would be boxed on every lookup).
   */
  readonly edgeTo = new Map<number, Edge>();
  /** The edge of edgeTo the last frame went through: most frames repeat it (null once dropped). */
  lastEdge: Edge | null = null;
  /**
   * A router's: the routed address (keyed as ip4) the last frame through it went to or came from,
   * and that address's device, already marked as routed through it. Six frames in ten through a
   * router on the benchmark repeat the address of the one before (both ways of a conversation).
   */
  lastRoutedKey = 0;
  lastRouted: Device | null = null;
  readonly evidence = new Evidence();
  first = Infinity;
  last = -Infinity;
  packetsSent = 0;
  packetsReceived = 0;
  bytesSent = 0;
  bytesReceived = 0;
  /**
   * What a router sent from addresses before it was known to route for them: no longer in
   * packetsSent/bytesSent (the routed devices have it), kept so a partial's counters only grow.
   */
  routedPackets = 0;
  routedBytes = 0;
  /** The same for what was addressed to it for those addresses (see rx4). */
  routedReceivedPackets = 0;
  routedReceivedBytes = 0;
  /** When it was made: see Inventory.born. */
  born = 0;

  /** Changed since the change stream last collected it. */
  dirty = false;

  constructor(
    n: number,
    id: string,
    mac: number,
    private readonly changed: Device[],
  ) {
    this.n = n;
    this.id = id;
    this.mac = mac;
    this.touch();
  }

  seen(ts: number): void {
    if (ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
    if (!this.dirty) this.touch();
  }

  /**
   * seen() at a frame's time, read here: a fractional time passed to a call that is not inlined is
   * boxed per call (a heap number per frame and device, on the per-packet path).
   */
  seenIn(p: Packet): void {
    // seen() spelt out: where this is inlined into Inventory.packet but seen() is not (the packet
    // path is near its inlining budget, so that depends on the rest of the code), the call boxed
    // the time all the same, once per frame and device.
    const ts = p.ts;
    if (ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
    if (!this.dirty) this.touch();
  }

  touch(): void {
    if (!this.dirty) {
      this.dirty = true;
      this.changed.push(this);
    }
  }
}

export class Edge implements Parted {
  readonly protocols = new Set<string>();
  /** While an end is a MAC not known to route: the edge by the share of each end (shares.ts). */
  part: EdgePart | null = null;
  partKey = -1;
  parts: Map<number, EdgePart> | null = null;
  /** Taken out of the inventory (its parts moved to the addresses behind a new router). */
  gone = false;
  packetsAtoB = 0;
  packetsBtoA = 0;
  bytesAtoB = 0;
  bytesBtoA = 0;
  first = Infinity;
  last = -Infinity;
  dirty = false;
  /**
   * The innermost protocols of its last two frames (or ''), which `protocols` holds unless silent: a
   * conversation alternates between two (data, ACKs). Reset with the set.
   */
  lastProto = '';
  prevProto = '';
  /** When it was made: see Inventory.born. */
  born = 0;
  constructor(
    readonly a: Device,
    readonly b: Device,
  ) {}
}

export interface InventoryOptions {
  /** IEEE OUI lookup, injected so shared/ needs no data files or Node. */
  vendorOf?: (mac: number) => string | null;
  /** Bounds on what the inventory holds (DEFAULT_LIMITS for any not given). */
  limits?: Partial<InventoryLimits>;
  /** Called once per flooded segment, when its first identity past a limit is aggregated. */
  onFlood?: (f: FloodEvent) => void;
  /** Observation protocol -> the protocol it is part of (pn_dcp -> profinet), for protocol lists. */
  partOf?: ReadonlyMap<string, string>;
}

/**
 * Devices keyed by MAC (or by IP where no MAC is visible), and edges between them, built from
 * decoded packets and the observations dissectors emit. Numbers key the hot maps: a MAC as its
 * 48-bit value, IPv4 as its 32-bit value.
 */
export class Inventory {
  readonly byMac = new Map<number, Device>();
  /** Devices known only by address: routed (behind a router) or from links without MACs. */
  /** Keyed as Device.ip4 is (`ip | 0`). */
  readonly byIp4 = new Map<number, Device>();
  readonly byIp6 = new Map<string, Device>();
  /** Which MAC device owns an address (kept with the bindings, so lookups never scan). */
  private readonly owner4 = new Map<number, Device>();
  private readonly owner6 = new Map<string, Device>();
  /**
   * Names that DNS answers gave for addresses (ip -> name -> when it was learnt, as `born`): a name
   * resolved is not a device seen, so they attach to whichever device holds the address when the
   * inventory is read. In the order learnt; the stamp lets workers' partials merge in that order. Bounded.
   */
  readonly resolved = new Map<string, Map<string, number>>();
  /** Facts stated by others about addresses no device holds yet (ip -> distinct facts). Bounded. */
  private readonly hearsay = new Map<string, HeldFact[]>();
  /**
   * Addresses whose hearsay a device claimed, so a partial can say so: a delta sent before the claim
   * carried it unclaimed, and the merge must not attach it a second time. Bounded.
   */
  private readonly claimed = new Set<string>();
  readonly edges = new Map<number, Edge>();
  /** Edges were made or changed by a router's shares moving: their order is by `born`, not made. */
  edgesMoved = false;
  /** Devices and edges changed since the change stream last collected them (see changes.ts). */
  readonly changedDevices: Device[] = [];
  readonly changedEdges: Edge[] = [];
  /** Bumped when an edge appears, goes, or gains a protocol: who-talks-to-whom changed. */
  edgeShape = 0;
  /** Edges taken out since the change stream last collected them: evicted by the cap, or wrong (below). */
  readonly removedEdges: { a: string; b: string }[] = [];
  /**
   * Of those, the ones that were wrong: a router's shares moved all their traffic to the devices
   * behind its addresses. A store deletes their rows; an evicted edge keeps its row (history).
   */
  readonly deletedEdges: { a: string; b: string }[] = [];
  readonly limits: InventoryLimits;
  /** Edges kept in memory; beyond it the longest idle are evicted (the store keeps them on disk). */
  maxEdges: number;
  /** Aggregate devices by id: overflow MACs per segment, IPv6 /64s, the far side of a router. */
  readonly aggregates = new Map<string, Device>();
  private prefixAggregates = 0;
  /** Floods reported, by segment (bounded: further segments share one name). */
  readonly floods = new Map<string, FloodEvent>();
  private devicesAggregated = 0;
  private addressesAggregated = 0;
  private edgesEvicted = 0;
  private factsDropped = 0;
  private tableEntriesDropped = 0;
  /** The packet being accounted (the decoder reuses one), to name the segment a flood came in on. */
  private cur: Packet | null = null;
  private count = 0;
  /**
   * The frame being analysed (the analyzer sets it before each frame): devices and edges are stamped
   * with it when made, `frame * 4096 + k` for the k-th made during that frame, so the workers of one
   * capture, which number frames alike, can say in which order one analysis would have made them.
   */
  frame = 0;
  private bornFrame = -1;
  private bornInFrame = 0;

  private born(): number {
    this.inFrame();
    if (this.moving) return this.frame * 4096 + MOVE_SLOT;
    return this.frame * 4096 + Math.min(this.bornInFrame++, 4095);
  }

  private inFrame(): void {
    if (this.frame !== this.bornFrame) {
      this.bornFrame = this.frame;
      this.bornInFrame = 0;
    }
  }

  /** While a new router's addresses get their devices: they share one `born` (see becomeRouter). */
  private moving = false;
  /** MAC text from observations -> number, so repeated facts skip the parse. */
  private readonly macText = new Map<string, number>();
  /** The same for IPv4 text (observations name devices by text; a few hosts say most of it). */
  private readonly ip4Text = new Map<string, number>();
  /**
   * The time of the packet or observation being accounted, for bind4/bind6: a field rather than an
   * argument, because a fractional time passed to a function that is not inlined is boxed per call.
   */
  private now = -Infinity;
  private cacheMacA = -2;
  private cacheDevA: Device | null = null;
  private cacheMacB = -2;
  private cacheDevB: Device | null = null;
  observations = 0;
  /** Devices rebuilt from partial inventories (partial-inventory.ts), by id: they hold no lookups. */
  readonly restored = new Map<string, Device>();

  constructor(private readonly o: InventoryOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.maxEdges = this.limits.maxEdges;
  }

  get size(): number {
    return this.count;
  }

  /** The IEEE registry's name for a MAC's prefix, when the host gave a lookup. */
  vendorOf(mac: number): string | null {
    return mac >= 0 ? (this.o.vendorOf?.(mac) ?? null) : null;
  }

  /**
   * Account one decoded packet. `bind`: run once the frame's MAC devices are made, before their
   * addresses are bound (a worker's router news, Analyzer.beforeAccounting): where this frame's
   * addresses would make a MAC a router, so the frame's devices are made in one analysis's order.
   */
  packet(p: Packet, bind: (() => void) | null = null): void {
    const len = p.wireLen;
    const ts = p.ts;
    this.now = ts;
    this.cur = p;
    let src: Device | undefined;
    let dst: Device | undefined;

    // A group-bit source MAC is invalid on the wire but still something that was sent: keep it visible.
    if (p.srcMac >= 0 && p.srcMac !== BROADCAST) src = this.frameMacDevice(p, false);
    const srcMacDevice = src;
    if (p.dstMac >= 0 && !dstMacIsGroup(p)) dst = this.frameMacDevice(p, true);
    if (bind !== null) bind();

    // ARP binds an address to the MAC that answers for it: the strongest evidence of ownership.
    // The sender hardware address names the owner, even when another MAC carried the frame (proxy ARP).
    if (p.arpOp > 0 && p.arpSha > 0 && p.arpSha !== BROADCAST && ipv4KeyIsUnicastHost(p.arpSpa | 0)) {
      const owner = p.arpSha === p.srcMac && src !== undefined ? src : this.macDevice(p.arpSha);
      this.bind4(owner, p.arpSpa | 0, -1, true);
      owner.seenIn(p);
    }

    // IP in UDP (Teredo, AYIYA, GTP-U, GRE-in-UDP): the outer IPv4 source is the sending endpoint's
    // own address here, whatever addresses the tunnel carries.
    if (p.tunnelSrc4 !== 0 && src !== undefined && ipv4KeyIsUnicastHost(p.tunnelSrc4 | 0))
      this.bind4(src, p.tunnelSrc4 | 0, -1, false);

    if (p.ipVersion === 4) {
      if (ipv4KeyIsUnicastHost(p.src4 | 0)) {
        if (src !== undefined) src = this.bind4(src, p.src4 | 0, len, false);
        else src = this.ip4Device(p.src4 | 0, null);
      }
      if (ipv4KeyIsUnicastHost(p.dst4 | 0)) {
        if (dst !== undefined) {
          if (dst.router) {
            if (!dst.ip4.has(p.dst4 | 0)) dst = this.ip4Device(p.dst4 | 0, dst);
          } else if (!dst.aggregate) this.received(dst, p.dst4 | 0, null, len, p);
        } else if (p.dstMac < 0) dst = this.ip4Device(p.dst4 | 0, null);
      }
    } else if (p.ipVersion === 6) {
      if (isUnicast6(p.src6)) {
        if (src !== undefined) src = this.bind6(src, p.src6, len);
        else src = this.ip6Device(p.src6, null);
      }
      if (isUnicast6(p.dst6)) {
        if (dst !== undefined) {
          if (dst.router) {
            if (!dst.ip6.has(p.dst6)) dst = this.ip6Device(p.dst6, dst);
          } else if (!dst.aggregate) this.received(dst, 0, p.dst6, len, p);
        } else if (p.dstMac < 0) dst = this.ip6Device(p.dst6, null);
      }
    }

    // A MAC not known to route keeps what went through each of its addresses apart (shares.ts).
    const srcShare =
      src !== undefined && src === srcMacDevice && !src.router && !src.aggregate
        ? this.frameShare(src, p, true)
        : null;
    const dstShare =
      dst !== undefined && dst.mac >= 0 && !dst.router && !dst.aggregate
        ? this.frameShare(dst, p, false)
        : null;
    if (src !== undefined) {
      src.seenIn(p);
      src.packetsSent++;
      src.bytesSent += len;
      // Most frames repeat one of the last two stacks: their names are in the set already.
      const seen = src.stacks.match(p);
      if (seen === 0) {
        addNames(src.protocols, p);
        src.stacks.keep(p);
      }
      // The stack of the frame before, through the same share: only src's frames sent through a
      // share change its memo, and each leaves its stack last there as in src's, so the share's
      // memo would match it first (moveShares clears both memos and stackShare with them).
      if (srcShare !== null && !(seen === 1 && srcShare === src.stackShare) && !srcShare.stacks.has(p)) {
        addNames(srcShare.protocols, p);
        srcShare.stacks.keep(p);
      }
      src.stackShare = srcShare;
      if (p.vlanCount > 0) this.addVlans(src, p);
      if ((p.tcpFlags & 0x12) === 0x12 && !src.aggregate) this.served(src, p);
    }
    if (dst !== undefined) {
      dst.seenIn(p);
      dst.packetsReceived++;
      dst.bytesReceived += len;
      if (p.vlanCount > 0) this.addVlans(dst, p);
    }
    // A router forwarding someone else's packet was still on the wire.
    if (srcMacDevice !== undefined && srcMacDevice !== src) srcMacDevice.seenIn(p);
    if (src !== undefined && dst !== undefined && src !== dst) {
      const e = this.edge(src, dst, p, len);
      if (srcShare !== null || dstShare !== null || e.part !== null)
        edgePart(
          e,
          e.a === src ? srcShare : dstShare,
          e.a === src ? dstShare : srcShare,
          e.a === src,
          p,
          len,
          this.frame,
        );
    }
  }

  private shareIds = 0;

  /**
   * The share of a MAC device not known to route that a frame it sent (or was sent) goes through:
   * its source (destination) address's, when the address is one it took or was sent at (bounded as
   * those are), else what stays the MAC's.
   */
  private frameShare(d: Device, p: Packet, sent: boolean): Share {
    if (p.ipVersion === 4) {
      const ip = (sent ? p.src4 : p.dst4) | 0;
      if (ip === d.lastShareKey) return d.lastShare!;
      if (ipv4KeyIsUnicastHost(ip) && (d.ip4.has(ip) || (!sent && d.rx4?.has(ip) === true)))
        return this.addressShare(d, ip);
    } else if (p.ipVersion === 6) {
      const ip = sent ? p.src6 : p.dst6;
      if (ip === d.lastShareKey) return d.lastShare!;
      if (isUnicast6(ip) && !ip.startsWith('fe80:') && (d.ip6.has(ip) || (!sent && d.rx6?.has(ip) === true)))
        return this.addressShare(d, ip);
    }
    return (d.stays ??= this.newShare(null));
  }

  private newShare(address: number | string | null): Share {
    // Past the numbers an edge part's key can hold (tens of millions), shares start again from 1:
    // two shares of one edge then may share a part, which costs only exactness, never memory.
    if (++this.shareIds >= SHARE_IDS) this.shareIds = 1;
    return new Share(this.shareIds, address);
  }

  private addressShare(d: Device, key: number | string): Share {
    const shares = (d.shares ??= new Map());
    let s = shares.get(key);
    if (s === undefined) {
      // Bounded by the addresses a MAC keeps (and facts about a few more).
      if (shares.size >= 2 * MAX_OWN_IPS) return (d.stays ??= this.newShare(null));
      s = this.newShare(key);
      shares.set(key, s);
    }
    d.lastShareKey = key;
    d.lastShare = s;
    return s;
  }

  /** The share a fact about a MAC device at this address goes to (as frameShare). */
  private factShare(d: Device, ip: string | null): Share {
    if (ip !== null) {
      if (ip.includes(':')) {
        if (isUnicast6(ip) && !ip.startsWith('fe80:')) return this.addressShare(d, ip);
      } else {
        const v = this.ip4Number(ip);
        if (v >= 0 && ipv4IsUnicastHost(v)) return this.addressShare(d, v | 0);
      }
    }
    return (d.stays ??= this.newShare(null));
  }

  /**
   * Attach an observation to the device it names. `firstHand` is false for facts one host states
   * about another address (a DHCP server naming the router): those never create a device; they wait,
   * bounded, until a device holds that address.
   */
  observe(o: Observation, firstHand = true): void {
    if (o.kind === 'address' && o.protocol === 'dns') {
      this.observations++;
      if (o.name !== null) this.resolve(o.ip, o.name);
      return;
    }
    let d: Device | undefined;
    if (!firstHand && o.device.mac === null && o.device.ip !== null) {
      d = this.knownByIp(o.device.ip);
      if (d === undefined) {
        this.observations++;
        this.holdHearsay(o.device.ip, o);
        return;
      }
    } else d = this.deviceFor(o.device);
    if (d === undefined) return;
    this.observations++;
    // A fact about an identity past the limits describes no device kept: it is not spread over a bucket.
    if (d.aggregate) {
      this.factsDropped++;
      return;
    }
    this.attach(d, o);
  }

  private attach(d: Device, o: Observation, count = 1, last = o.ts): void {
    if (o.kind === 'address' && SELF_BINDING.has(o.protocol) && d.mac >= 0 && !d.router) {
      this.now = o.ts;
      if (o.ip.includes(':')) {
        if (!o.ip.startsWith('ff')) this.bind6(d, o.ip, -1);
      } else {
        const v = this.ip4Number(o.ip);
        if (v >= 0 && ipv4IsUnicastHost(v)) this.bind4(d, v | 0, -1, false);
      }
    }
    const fact = d.evidence.add(o, count, last);
    if (fact === null) this.factsDropped++;
    const proto = this.protocolOf(o.protocol);
    d.protocols.add(proto);
    if (d.mac >= 0 && !d.router) {
      const s = this.factShare(d, o.device.ip);
      if (fact !== null) s.fact(fact, o, count, o.ts, last, this.attachSeq++);
      s.protocols.add(proto);
    }
    d.touch();
  }

  /** Facts attached so far: the order of a share's facts (shares.ts). */
  private attachSeq = 0;

  /** The device holding an address, without creating one. */
  private knownByIp(ip: string): Device | undefined {
    if (ip.includes(':')) return this.byIp6.get(ip) ?? this.owner6.get(ip);
    const v = this.ip4Number(ip);
    return v < 0 ? undefined : (this.byIp4.get(v | 0) ?? this.owner4.get(v | 0));
  }

  private holdHearsay(ip: string, o: Observation): void {
    let list = this.hearsay.get(ip);
    if (list === undefined) {
      if (this.hearsay.size >= MAX_RESOLVED) return;
      list = [];
      this.hearsay.set(ip, list);
    }
    // Counted per distinct fact, so a fact repeated until its address shows up keeps its count.
    const k = factKey(o);
    const had = list.find((h) => factKey(h.obs) === k);
    if (had !== undefined) {
      had.count++;
      if (o.ts > had.last) had.last = o.ts;
    } else if (list.length < 8) list.push({ obs: o, count: 1, last: o.ts });
  }

  /** A device just took an address: facts others stated about that address now have an owner. */
  private claimHearsay(d: Device, ip: string): void {
    const list = this.hearsay.get(ip);
    if (list === undefined) return;
    this.hearsay.delete(ip);
    if (this.claimed.size < MAX_RESOLVED) this.claimed.add(ip);
    for (const h of list) this.attach(d, h.obs, h.count, h.last);
  }

  /** Facts waiting for a device to take their address (ip -> observations, in the order heard). */
  heldHearsay(): ReadonlyMap<string, readonly HeldFact[]> {
    return this.hearsay;
  }

  /** Addresses whose held hearsay a device claimed. */
  claimedHearsay(): ReadonlySet<string> {
    return this.claimed;
  }

  /** The protocol a device lists for an observation of this protocol (pn_dcp -> profinet). */
  protocolOf(protocol: string): string {
    return this.o.partOf?.get(protocol) ?? protocol;
  }

  private resolve(ip: string, name: string): void {
    let names = this.resolved.get(ip);
    if (names === undefined) {
      if (this.resolved.size >= MAX_RESOLVED) return;
      names = new Map();
      this.resolved.set(ip, names);
    }
    if (names.size < 16 && !names.has(name)) names.set(name, this.born());
  }

  private ip4Number(s: string): number {
    let v = this.ip4Text.get(s);
    if (v === undefined) {
      v = ipv4FromString(s);
      if (this.ip4Text.size >= 65536) this.ip4Text.clear();
      this.ip4Text.set(s, v);
    }
    return v;
  }

  deviceFor(ref: DeviceRef): Device | undefined {
    if (ref.mac !== null) {
      let mac = this.macText.get(ref.mac);
      if (mac === undefined) {
        mac = macFromString(ref.mac);
        if (this.macText.size > 65536) this.macText.clear();
        this.macText.set(ref.mac, mac);
      }
      if (mac > 0 && mac !== BROADCAST) {
        const d = this.macDevice(mac);
        // Behind a router the MAC is the router's; the fact is about the address, unless the router
        // owns it (ARP, link-local): then it is the router's own, as its traffic from there is.
        if (d.router && ref.ip !== null && !this.owns(d, ref.ip))
          return this.deviceFor({ mac: null, ip: ref.ip });
        return d;
      }
    }
    if (ref.ip === null) return undefined;
    if (ref.ip.includes(':')) return this.ip6Owner(ref.ip);
    const v = this.ip4Number(ref.ip);
    if (v < 0) return undefined;
    return this.ip4Owner(v);
  }

  /** Whether a router keeps this address as its own (becomeRouter moved the others away). */
  private owns(d: Device, ip: string): boolean {
    if (ip.includes(':')) return d.ip6.has(ip);
    const v = this.ip4Number(ip);
    return v >= 0 && d.ip4.has(v | 0);
  }

  /** The device with this id ("mac:…" or "ip:…"), if the inventory holds it. */
  byId(id: string): Device | undefined {
    const agg = this.aggregates.get(id) ?? this.restored.get(id);
    if (agg !== undefined) return agg;
    if (id.startsWith('mac:')) {
      const mac = macFromString(id.slice(4));
      return mac >= 0 ? this.byMac.get(mac) : undefined;
    }
    if (!id.startsWith('ip:')) return undefined;
    const ip = id.slice(3);
    if (ip.includes(':')) return this.byIp6.get(ip);
    const v = ipv4FromString(ip);
    return v < 0 ? undefined : this.byIp4.get(v | 0);
  }

  devices(): IterableIterator<Device> {
    return this.allDevices();
  }

  private *allDevices(): IterableIterator<Device> {
    yield* this.byMac.values();
    yield* this.byIp4.values();
    yield* this.byIp6.values();
    yield* this.aggregates.values();
    yield* this.restored.values();
  }

  /** A device rebuilt from partial inventories, numbered as if the capture had made it now. */
  restore(id: string, mac: number): Device {
    const d = new Device(this.count++, id, mac, this.changedDevices);
    // The caller says when it was made (the merge of a capture's workers orders devices by it).
    this.restored.set(id, d);
    return d;
  }

  private macDevice(mac: number): Device {
    // Consecutive frames mostly come from a handful of MACs: a two-entry cache skips the hash lookup.
    if (mac === this.cacheMacA) return this.cacheDevA!;
    if (mac === this.cacheMacB) return this.cacheSwap();
    return this.cacheMiss(mac);
  }

  /**
   * macDevice of the frame's source (`dst` false) or destination MAC, read here: a MAC is no small
   * integer, so passed to a call that is not inlined it is boxed, once per frame. packet() is at its
   * inlining budget, and which of its two lookups V8 inlines changes from one compile to the next.
   */
  private frameMacDevice(p: Packet, dst: boolean): Device {
    const mac = dst ? p.dstMac : p.srcMac;
    if (mac === this.cacheMacA) return this.cacheDevA!;
    if (mac === this.cacheMacB) return this.cacheSwap();
    return this.cacheMiss(mac);
  }

  /** The cache's second entry, made its first. */
  private cacheSwap(): Device {
    return this.cacheFront(this.cacheMacB, this.cacheDevB!);
  }

  private cacheMiss(mac: number): Device {
    const d = this.macDeviceSlow(mac);
    // A MAC past the limit is counted on every sighting, so it is not cached.
    return d.aggregate ? d : this.cacheFront(mac, d);
  }

  /** `mac` and its device as the cache's first entry, the first as its second. */
  private cacheFront(mac: number, d: Device): Device {
    this.cacheMacB = this.cacheMacA;
    this.cacheDevB = this.cacheDevA;
    this.cacheMacA = mac;
    this.cacheDevA = d;
    return d;
  }

  private macDeviceSlow(mac: number): Device {
    let d = this.byMac.get(mac);
    if (d === undefined) {
      if (this.byMac.size >= this.limits.maxDevices) {
        this.devicesAggregated++;
        return this.overflow(this.segment(), 'devices', this.limits.maxDevices);
      }
      d = new Device(this.count++, 'mac:' + macToString(mac), mac, this.changedDevices);
      d.born = this.born();
      this.byMac.set(mac, d);
      if (this.routersToldOf.size > 0) {
        const owned = this.routersToldOf.get(mac);
        if (owned !== undefined) this.routerToldOf(d, owned);
      }
    }
    return d;
  }

  /**
   * MACs a reader sharing the capture among workers found routing (routes), with the addresses each
   * owns by ARP: bounded by its watch (shared/engine/router-watch.ts).
   */
  private readonly routersToldOf = new Map<number, number[]>();

  /**
   * The MAC routes from the frame being accounted on, as the reader of a capture shared among
   * workers decided from every frame: one worker sees too few of its addresses to decide when one
   * analysis would. `owned`: the IPv4 addresses (`| 0`) it answered ARP for, which stay its own
   * whichever worker heard the ARP. A MAC this inventory makes later is a router from the start.
   */
  routes(mac: number, owned: readonly number[]): void {
    const list = [...owned];
    this.routersToldOf.set(mac, list);
    const d = this.byMac.get(mac);
    if (d !== undefined && !d.aggregate) this.routerToldOf(d, list);
  }

  /** The router `mac` answered ARP for `ip` (`| 0`) in the frame being accounted (see routes). */
  ownsByArp(mac: number, ip: number): void {
    const list = this.routersToldOf.get(mac);
    if (list === undefined) return;
    list.push(ip);
    const d = this.byMac.get(mac);
    if (d !== undefined && !d.aggregate) this.ownByArp(d, ip);
  }

  private routerToldOf(d: Device, owned: readonly number[]): void {
    for (const ip of owned) this.ownByArp(d, ip);
    if (!d.router) this.becomeRouter(d);
  }

  /**
   * An address the MAC owns by an ARP another worker heard: marked its own, with no sighting of this
   * worker's (that worker's partial has the times and counts).
   */
  private ownByArp(d: Device, ip: number): void {
    const u = d.ip4.get(ip | 0);
    if (u !== undefined) {
      u.arp = true;
      return;
    }
    if (d.ip4.size >= MAX_OWN_IPS) return;
    d.ip4.set(ip | 0, {
      packets: 0,
      bytes: 0,
      first: Infinity,
      last: -Infinity,
      arp: true,
      served: null,
      frame: this.frame,
    });
    if (d.mac >= 0) this.owner4.set(ip | 0, d);
    if (this.hearsay.size > 0) this.claimHearsay(d, ipv4ToString(ip));
  }

  /** `ip`: the address as a signed 32-bit key (`| 0`), as the maps hold it; ipv4ToString reads either. */
  private ip4Device(ip: number, via: Device | null): Device {
    // What the lookup and routedVia would find again: byIp4 only grows, and via is in d.via.
    if (via !== null && via.lastRouted !== null && via.lastRoutedKey === (ip | 0)) return via.lastRouted;
    let d = this.byIp4.get(ip | 0);
    if (d === undefined) {
      if (this.byIp4.size + this.byIp6.size >= this.limits.maxAddressDevices) {
        this.addressesAggregated++;
        return via !== null
          ? this.routedBucket(via)
          : this.overflow(this.segment(), 'addresses', this.limits.maxAddressDevices);
      }
      d = new Device(this.count++, 'ip:' + ipv4ToString(ip), -1, this.changedDevices);
      d.born = this.born();
      d.ip4.set(ip | 0, {
        packets: 0,
        bytes: 0,
        first: Infinity,
        last: -Infinity,
        arp: false,
        served: null,
        frame: this.frame,
      });
      this.byIp4.set(ip | 0, d);
      if (this.hearsay.size > 0) this.claimHearsay(d, ipv4ToString(ip));
    }
    if (via !== null) {
      this.routedVia(d, via);
      // Not where routedVia had no room for via: each frame then counts an entry dropped.
      if (d.via.has(via.id)) {
        via.lastRoutedKey = ip | 0;
        via.lastRouted = d;
      }
    }
    return d;
  }

  private ip6Device(ip: string, via: Device | null): Device {
    let d = this.byIp6.get(ip);
    if (d === undefined) {
      if (this.byIp4.size + this.byIp6.size >= this.limits.maxAddressDevices) {
        this.addressesAggregated++;
        return this.prefixBucket(ip, via);
      }
      d = new Device(this.count++, 'ip:' + ip, -1, this.changedDevices);
      d.born = this.born();
      d.ip6.set(ip, {
        packets: 0,
        bytes: 0,
        first: Infinity,
        last: -Infinity,
        arp: false,
        served: null,
        frame: this.frame,
      });
      this.byIp6.set(ip, d);
      if (this.hearsay.size > 0) this.claimHearsay(d, ip);
    }
    if (via !== null) this.routedVia(d, via);
    return d;
  }

  /** The device that owns an IPv4 address: the MAC device it is bound to, else an address-only device. */
  private ip4Owner(ip: number): Device {
    return this.byIp4.get(ip | 0) ?? this.owner4.get(ip | 0) ?? this.ip4Device(ip | 0, null);
  }

  private ip6Owner(ip: string): Device {
    return this.byIp6.get(ip) ?? this.owner6.get(ip) ?? this.ip6Device(ip, null);
  }

  /** A frame addressed to a MAC device that does not route (yet), for this destination address. */
  private received(d: Device, ip4: number, ip6: string | null, len: number, p: Packet): void {
    // The frame rather than its time: see Device.seenIn.
    const ts = p.ts;
    let u = ip6 === null && ip4 === d.lastRx4Key ? d.lastRx4 : null;
    if (u === null) {
      const rx = ip6 === null ? (d.rx4 ??= new Map()) : (d.rx6 ??= new Map());
      const key = ip6 ?? ip4;
      u = (rx as Map<number | string, RxUse>).get(key) ?? null;
      if (u === null) {
        // Past the bound what is addressed to further addresses stays the MAC's, as it did before a
        // router was decided at all. Not a limit reached (a one-way capture of an undecided gateway
        // fills it), so not counted as one.
        if ((d.rx4?.size ?? 0) + (d.rx6?.size ?? 0) >= MAX_OWN_IPS) return;
        u = { packets: 0, bytes: 0, first: ts, last: ts };
        (rx as Map<number | string, RxUse>).set(key, u);
      }
      if (ip6 === null) {
        d.lastRx4Key = ip4;
        d.lastRx4 = u;
      }
    }
    u.packets++;
    u.bytes += len;
    if (ts < u.first) u.first = ts;
    if (ts > u.last) u.last = ts;
  }

  /**
   * Bind a source IPv4 address to a MAC device, and return the device the packet is really from:
   * the MAC's own device, or, behind a router, the routed address. `len`: the frame's length when
   * the MAC sent it from this address (it counts on the MAC, and moves with the address if the MAC
   * turns out to route); -1 for a binding that is no frame sent from it (ARP, a tunnel's outer
   * address, an observation).
   */
  private bind4(d: Device, ip: number, len: number, arp: boolean): Device {
    if (d.aggregate) return d;
    const ts = this.now;
    let u = (ip | 0) === d.lastIp4Key && d.lastIp4 !== null ? d.lastIp4 : d.ip4.get(ip | 0);
    if (u === undefined) {
      if (d.router && !arp) return this.ip4Device(ip, d);
      if (d.ip4.size >= MAX_OWN_IPS) {
        this.tableEntriesDropped++;
        return d;
      }
      u = { packets: 0, bytes: 0, first: ts, last: ts, arp, served: null, frame: this.frame };
      d.ip4.set(ip | 0, u);
      if (d.mac >= 0) this.owner4.set(ip | 0, d);
      if (this.hearsay.size > 0) this.claimHearsay(d, ipv4ToString(ip));
      if (!d.router && routable(d) > ROUTER_IP_THRESHOLD) {
        this.becomeRouter(d);
        if (!arp) return this.ip4Device(ip, d);
      }
    }
    // Still in ip4 here (becomeRouter, which moves entries out, returned above or kept this one).
    d.lastIp4Key = ip | 0;
    d.lastIp4 = u;
    if (arp) u.arp = true;
    if (len >= 0) {
      u.packets++;
      u.bytes += len;
    }
    if (ts > u.last) u.last = ts;
    return d;
  }

  private bind6(d: Device, ip: string, len: number): Device {
    if (d.aggregate) return d;
    const ts = this.now;
    let u = d.ip6.get(ip);
    if (u === undefined) {
      if (d.router) return this.ip6Device(ip, d);
      if (d.ip6.size >= MAX_OWN_IPS) {
        this.tableEntriesDropped++;
        return d;
      }
      u = { packets: 0, bytes: 0, first: ts, last: ts, arp: false, served: null, frame: this.frame };
      d.ip6.set(ip, u);
      if (d.mac >= 0) this.owner6.set(ip, d);
      if (this.hearsay.size > 0) this.claimHearsay(d, ip);
      if (!ip.startsWith('fe80:') && routable(d) > ROUTER_IP_THRESHOLD) {
        this.becomeRouter(d);
        return this.ip6Device(ip, d);
      }
    }
    if (len >= 0) {
      u.packets++;
      u.bytes += len;
    }
    if (ts > u.last) u.last = ts;
    return d;
  }

  /**
   * Too many source addresses behind one MAC: it routes. Addresses it proved its own by ARP stay;
   * the others become devices of their own, marked as routed through it, with what they sent: the
   * MAC keeps only what it sent from its own addresses, as if it had been known to route from the
   * start (what a merge of partials decides on the combined addresses, partial-combine.ts).
   */
  private becomeRouter(d: Device): void {
    d.router = true;
    d.lastIp4 = null;
    d.lastRx4 = null;
    d.servedTcp.clear();
    this.addressDevicesOf(d);
    const move = (u: IpUse, r: Device, own: IpUse | undefined) => {
      // Held since the MAC took it: where a merge puts the hearsay the MAC claimed then (its share moves).
      if (own !== undefined && u.frame < own.frame) own.frame = u.frame;
      r.seen(u.first);
      r.seen(u.last);
      r.packetsSent += u.packets;
      r.bytesSent += u.bytes;
      d.packetsSent -= u.packets;
      d.bytesSent -= u.bytes;
      d.routedPackets += u.packets;
      d.routedBytes += u.bytes;
      for (const port of u.served ?? []) r.servedTcp.add(port);
    };
    for (const [key, u] of d.ip4) {
      if (u.arp) {
        for (const port of u.served ?? []) d.servedTcp.add(port);
        continue;
      }
      d.ip4.delete(key);
      this.owner4.delete(key);
      const r = this.ip4Device(key, d);
      move(u, r, r.ip4.get(key));
    }
    for (const [ip, u] of d.ip6) {
      if (ip.startsWith('fe80:')) {
        for (const port of u.served ?? []) d.servedTcp.add(port);
        continue;
      }
      d.ip6.delete(ip);
      this.owner6.delete(ip);
      const r = this.ip6Device(ip, d);
      move(u, r, r.ip6.get(ip));
    }
    // What was addressed to it for addresses it does not own goes to their devices too.
    const moveRx = (u: RxUse, r: Device) => {
      r.seen(u.first);
      r.seen(u.last);
      r.packetsReceived += u.packets;
      r.bytesReceived += u.bytes;
      d.packetsReceived -= u.packets;
      d.bytesReceived -= u.bytes;
      d.routedReceivedPackets += u.packets;
      d.routedReceivedBytes += u.bytes;
    };
    for (const [key, u] of d.rx4 ?? []) if (!d.ip4.has(key)) moveRx(u, this.ip4Device(key, d));
    for (const [ip, u] of d.rx6 ?? []) if (!d.ip6.has(ip)) moveRx(u, this.ip6Device(ip, d));
    d.rx4 = null;
    d.rx6 = null;
    this.moveShares(d);
  }

  /**
   * The devices of the addresses a new router moves, made first, in the order of their ids and all
   * with one `born`: the workers of one capture each move the addresses they saw (one worker has the
   * frame, the others are told), so only an order that needs no other address can be made alike by
   * all. Devices made later in the frame come after them.
   */
  private addressDevicesOf(d: Device): void {
    const made: { id: string; make: () => void }[] = [];
    const v4 = (key: number) => {
      if (!this.byIp4.has(key))
        made.push({ id: ipv4ToString(key >>> 0), make: () => this.ip4Device(key, d) });
    };
    const v6 = (ip: string) => {
      if (!this.byIp6.has(ip)) made.push({ id: ip, make: () => this.ip6Device(ip, d) });
    };
    for (const [key, u] of d.ip4) if (!u.arp) v4(key);
    for (const ip of d.ip6.keys()) if (!ip.startsWith('fe80:')) v6(ip);
    for (const key of d.rx4?.keys() ?? []) if (!d.ip4.has(key)) v4(key);
    for (const ip of d.rx6?.keys() ?? []) if (!d.ip6.has(ip)) v6(ip);
    if (made.length === 0) return;
    made.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    this.inFrame();
    this.moving = true;
    try {
      for (const m of made) {
        // Past the cap the move below aggregates the rest (and counts them), as it did.
        if (this.byIp4.size + this.byIp6.size >= this.limits.maxAddressDevices) break;
        m.make();
      }
    } finally {
      this.moving = false;
    }
    if (this.bornInFrame <= MOVE_SLOT) this.bornInFrame = MOVE_SLOT + 1;
  }

  /**
   * The edges, protocols and facts that went through the addresses a new router does not own go to
   * those addresses' devices, and the router keeps the rest: as if it had been known to route from
   * the start (so a gateway does not take the first remote server's OS fingerprint for its own).
   */
  private moveShares(d: Device): void {
    const shares = d.shares;
    let stays = d.stays;
    d.shares = null;
    d.stays = null;
    d.lastShareKey = -1;
    d.lastShare = null;
    if (shares === null) return;
    const edges = new Set<Edge>();
    for (const [key, s] of shares) {
      // Addresses it owns (ARP) stay with it, as their counters do.
      if (typeof key === 'number' && d.ip4.get(key)?.arp === true) {
        (stays ??= this.newShare(null)).absorbFacts(s);
        continue;
      }
      const r =
        typeof key === 'number'
          ? (this.byIp4.get(key) ?? this.owner4.get(key) ?? this.ip4Device(key, d))
          : (this.byIp6.get(key) ?? this.owner6.get(key) ?? this.ip6Device(key, d));
      if (r === d) {
        (stays ??= this.newShare(null)).absorbFacts(s);
        continue;
      }
      r.touch();
      for (const p of s.protocols) r.protocols.add(p);
      if (!r.aggregate)
        for (const f of s.factsInOrder()) {
          const fact = r.evidence.add(f.obs, f.count, f.last, f.first);
          if (fact === null) this.factsDropped++;
          else if (r.mac >= 0 && !r.router)
            this.factShare(r, f.obs.device.ip).fact(fact, f.obs, f.count, f.first, f.last, f.seq);
        }
      for (const e of s.edges) {
        if (e.gone) continue;
        this.moveParts(e, s, d, r);
        edges.add(e);
      }
    }
    for (const e of edges) this.settleEdge(e);
    // What the router keeps: what stays its own.
    d.protocols.clear();
    d.stacks.clear();
    d.stackShare = null;
    d.evidence.reset();
    d.touch();
    if (stays === null) return;
    for (const p of stays.protocols) d.protocols.add(p);
    for (const f of stays.factsInOrder()) d.evidence.add(f.obs, f.count, f.last, f.first);
  }

  /** The parts of `e` that went through share `s` of `d`, moved to the edge between `r` and the far end. */
  private moveParts(e: Edge, s: Share, d: Device, r: Device): void {
    const atA = e.a === d;
    const peer = atA ? e.b : e.a;
    if (peer === r) return;
    for (const part of takeParts(e, (p) => (atA ? p.sa : p.sb) === s)) {
      const peerShare = atA ? part.sb : part.sa;
      const to = this.edgeBetween(r, peer, part.born);
      const flip = (to.a === r) !== atA;
      if (peerShare !== null || to.part !== null) {
        const pa = to.a === r ? null : peerShare;
        const pb = to.a === r ? peerShare : null;
        const pk = partKey(pa, pb);
        let into = findPart(to, pk);
        if (into === undefined) putPart(to, pk, (into = emptyPart(pa, pb, part.born)));
        addPart(into, part, flip);
        peerShare?.edges.add(to);
      }
      addTraffic(to, part, flip);
      for (const x of part.protocols) to.protocols.add(x);
      to.lastProto = to.prevProto = '';
      this.edgeShape++;
      this.dirtyEdge(to);
    }
  }

  /**
   * The edge between two devices, made if new, as if when `born` says (moved parts keep when they
   * began, so the edges of an analysis, listed in that order, come out as one made them from the start).
   */
  private edgeBetween(x: Device, y: Device, born: number): Edge {
    this.edgesMoved = true;
    const lo = x.n < y.n ? x : y;
    const hi = x.n < y.n ? y : x;
    const e = lo.edgeTo.get(hi.n);
    if (e === undefined) return this.newEdge(lo, hi, born);
    if (born < e.born) e.born = born;
    return e;
  }

  /** A new edge between `lo` and `hi` (lo.n < hi.n), made when `born` says. */
  private newEdge(lo: Device, hi: Device, born: number): Edge {
    const e = new Edge(lo, hi);
    e.born = born;
    this.edgeShape++;
    this.edges.set(lo.n * 67108864 + hi.n, e);
    lo.edgeTo.set(hi.n, e);
    return e;
  }

  /**
   * An edge taken out, said to the change stream; its parts go with it. `wrong`: nothing of it is
   * left after a move (not evicted), so what recorded it must forget it too.
   */
  private dropEdge(e: Edge, wrong: boolean): void {
    this.edges.delete(e.a.n * 67108864 + e.b.n);
    e.a.edgeTo.delete(e.b.n);
    if (e.a.lastEdge === e) e.a.lastEdge = null;
    e.gone = true;
    this.edgeShape++;
    if (this.removedEdges.length >= 1_000_000) return;
    const ends = { a: e.a.id, b: e.b.id };
    this.removedEdges.push(ends);
    if (wrong) this.deletedEdges.push(ends);
  }

  /** An edge some of whose parts moved: what is left of it, or gone if nothing is. */
  private settleEdge(e: Edge): void {
    if (e.part === null) {
      // Not sent as changed after it was said to be gone.
      if (e.dirty) {
        const i = this.changedEdges.indexOf(e);
        if (i >= 0) this.changedEdges.splice(i, 1);
        e.dirty = false;
      }
      this.dropEdge(e, true);
      return;
    }
    this.edgeShape++;
    e.lastProto = e.prevProto = '';
    Object.assign(e, noTraffic());
    e.born = Infinity;
    e.protocols.clear();
    for (const part of partList(e)) {
      addTraffic(e, part, false);
      for (const x of part.protocols) e.protocols.add(x);
      if (part.born < e.born) e.born = part.born;
    }
    this.dirtyEdge(e);
  }

  private dirtyEdge(e: Edge): void {
    if (!e.dirty) {
      e.dirty = true;
      this.changedEdges.push(e);
    }
  }

  /**
   * Keep memory bounded on long captures: past `maxEdges`, evict the edges idle longest (a tenth of
   * the cap at a time, so eviction is rare). Evictions are reported through `removedEdges` (and
   * not `deletedEdges`: a store keeps their rows).
   */
  trimEdges(_now: number): number {
    if (this.edges.size <= this.maxEdges) return 0;
    const target = Math.floor(this.maxEdges * 0.9);
    const lasts: number[] = [];
    for (const e of this.edges.values()) lasts.push(e.last);
    lasts.sort((x, y) => x - y);
    const cutoff = lasts[this.edges.size - target - 1]!;
    let n = 0;
    for (const e of this.edges.values()) {
      if (this.edges.size <= target) break;
      // A changed edge is about to be sent as an upsert; it goes in a later round.
      if (e.last > cutoff || e.dirty) continue;
      // Its parts go with it: a router found later does not move what was evicted.
      this.dropEdge(e, false);
      n++;
    }
    this.edgesEvicted += n;
    return n;
  }

  /** A SYN-ACK: the sender serves that port (kept per address too, in case the MAC is a router). */
  private served(d: Device, p: Packet): void {
    const port = p.srcPort;
    if (d.servedTcp.size < MAX_SERVED) d.servedTcp.add(port);
    else if (!d.servedTcp.has(port)) this.tableEntriesDropped++;
    if (d.router) return;
    const u = p.ipVersion === 4 ? d.ip4.get(p.src4 | 0) : p.ipVersion === 6 ? d.ip6.get(p.src6) : undefined;
    if (u === undefined) return;
    if (u.served === null) u.served = [port];
    else if (u.served.length < 16 && !u.served.includes(port)) u.served.push(port);
  }

  private edge(a: Device, b: Device, p: Packet, len: number): Edge {
    const lo = a.n < b.n ? a : b;
    const hi = a.n < b.n ? b : a;
    let e = lo.lastEdge;
    if (e === null || e.b !== hi) lo.lastEdge = e = lo.edgeTo.get(hi.n) ?? this.newEdge(lo, hi, this.born());
    if (a === lo) {
      e.packetsAtoB++;
      e.bytesAtoB += len;
    } else {
      e.packetsBtoA++;
      e.bytesBtoA += len;
    }
    if (p.ts < e.first) e.first = p.ts;
    if (p.ts > e.last) e.last = p.ts;
    if (!e.dirty) {
      e.dirty = true;
      this.changedEdges.push(e);
    }
    // The innermost protocol names the conversation; lower layers add nothing per edge.
    if (p.protoCount > 0) {
      const name = p.protos[p.protoCount - 1]!;
      if (name !== e.lastProto) {
        // The edge's own set first: a conversation alternates among names it holds (data, ACKs).
        if (name !== e.prevProto && !e.protocols.has(name) && !SILENT.has(name)) {
          e.protocols.add(name);
          this.edgeShape++;
        }
        e.prevProto = e.lastProto;
        e.lastProto = name;
      }
    }
    return e;
  }

  private addVlans(d: Device, p: Packet): void {
    for (let i = 0; i < p.vlanCount; i++) {
      const v = p.vlans[i]!;
      if (d.vlans.size < MAX_VLANS_PER_DEVICE) d.vlans.add(v);
      else if (!d.vlans.has(v)) this.tableEntriesDropped++;
    }
  }

  private routedVia(d: Device, via: Device): void {
    d.routed = true;
    if (d.via.has(via.id)) return;
    if (d.via.size < MAX_VIA_PER_DEVICE) d.via.add(via.id);
    else this.tableEntriesDropped++;
  }

  /** Where the current packet came in: its interface and (innermost) VLAN. */
  private segment(): string {
    const p = this.cur;
    if (p === null) return 'interface 0';
    const s =
      p.vlanCount > 0 ? `interface ${p.iface} vlan ${p.vlans[p.vlanCount - 1]!}` : `interface ${p.iface}`;
    return s;
  }

  /** An aggregate device by id, made on first use. */
  private bucket(id: string): Device {
    let d = this.aggregates.get(id);
    if (d === undefined) {
      d = new Device(this.count++, id, -1, this.changedDevices);
      d.born = this.born();
      d.aggregate = true;
      this.aggregates.set(id, d);
    }
    return d;
  }

  /** The overflow device of a segment: MACs (or addresses without a router) past the limit. */
  private overflow(segment: string, table: FloodEvent['table'], limit: number): Device {
    const seg = this.flood(segment, table, limit, null, 'overflow:' + segment);
    return this.bucket('overflow:' + seg);
  }

  /** The far side of a router, as one device: its routed addresses past the limit. */
  private routedBucket(via: Device): Device {
    const seg = this.flood(
      'router ' + via.id,
      'addresses',
      this.limits.maxAddressDevices,
      via,
      'routed:' + via.id,
    );
    const d = this.bucket(seg.startsWith('router ') ? 'routed:' + via.id : 'overflow:' + seg);
    this.routedVia(d, via);
    return d;
  }

  /** An IPv6 address past the limit: its /64 while those are few, else its router's or segment's bucket. */
  private prefixBucket(ip: string, via: Device | null): Device {
    const id = 'ip:' + ipv6Prefix64(ip) + '::/64';
    let d = this.aggregates.get(id);
    if (d === undefined) {
      if (this.prefixAggregates >= this.limits.maxAggregates)
        return via !== null
          ? this.routedBucket(via)
          : this.overflow(this.segment(), 'addresses', this.limits.maxAddressDevices);
      this.prefixAggregates++;
      const seg = via !== null ? 'router ' + via.id : this.segment();
      const then = via !== null ? 'routed:' + via.id : 'overflow:' + seg;
      this.flood(seg, 'addresses', this.limits.maxAddressDevices, via, `their IPv6 /64s, then ${then}`);
      d = this.bucket(id);
    }
    if (via !== null) this.routedVia(d, via);
    return d;
  }

  /**
   * Report a flood once per segment; returns the segment's name as reported (past MAX_SEGMENTS
   * segments, further ones share the name "other segments"). The report is about the router the
   * flood came through, else the segment's overflow device.
   */
  private flood(
    segment: string,
    table: FloodEvent['table'],
    limit: number,
    via: Device | null,
    into: string,
  ): string {
    if (this.floods.has(segment)) return segment;
    const seg = this.floods.size < MAX_SEGMENTS ? segment : 'other segments';
    if (this.floods.has(seg)) return seg;
    const own = seg === segment;
    const f: FloodEvent = {
      segment: seg,
      ts: this.now,
      table,
      limit,
      deviceId: own && via !== null ? via.id : 'overflow:' + seg,
      into: own ? into : 'overflow:' + seg,
    };
    this.floods.set(seg, f);
    this.o.onFlood?.(f);
    return seg;
  }

  /** What the limits cost so far; null while none was reached (so stats read as before). */
  limitStats(): LimitStats | null {
    const s: LimitStats = {
      devicesAggregated: this.devicesAggregated,
      addressesAggregated: this.addressesAggregated,
      aggregates: this.aggregates.size,
      edgesEvicted: this.edgesEvicted,
      factsDropped: this.factsDropped,
      tableEntriesDropped: this.tableEntriesDropped,
      floods: [...this.floods.keys()],
    };
    const any =
      s.devicesAggregated + s.addressesAggregated + s.edgesEvicted + s.factsDropped + s.tableEntriesDropped >
      0;
    return any ? s : null;
  }

  /** `withIdentity`: the identity section (snapshots, exports, details; not the live deltas). */
  deviceJson(d: Device, withEvidence: boolean, withIdentity = true): DeviceJson {
    const ips: string[] = [];
    for (const ip of d.ip4.keys()) ips.push(ipv4ToString(ip >>> 0));
    for (const ip of d.ip6.keys()) ips.push(ip);
    const oui = this.vendorOf(d.mac);
    const ev = d.evidence;
    const sum = ev.summary();
    const j: DeviceJson = {
      id: d.id,
      mac: d.mac >= 0 ? macToString(d.mac) : null,
      ips,
      hostname: sum.hostname,
      vendor: sum.identity('vendor') ?? oui,
      ouiVendor: oui,
      category: null,
      type: d.router ? 'router' : null,
      model: sum.identity('model') ?? sum.identity('product'),
      os: sum.identity('os'),
      firmware: sum.identity('firmware'),
      serial: sum.identity('serial'),
      hostnames: [...sum.hostnames, ...this.dnsNames(ips)],
      roles: d.router ? ['router', ...sum.roles] : d.aggregate ? ['aggregate'] : sum.roles,
      protocols: [...d.protocols].sort(),
      services: servicesOf(d),
      vlans: [...d.vlans].sort((x, y) => x - y),
      localMac: d.mac >= 0 && macIsLocal(d.mac),
      router: d.router,
      routed: d.routed,
      // By id: the order routers were met in is one analysis's, which a merge of workers cannot know.
      via: [...d.via].sort(),
      firstSeen: isoTime(d.first),
      lastSeen: isoTime(d.last),
      packets: d.packetsSent + d.packetsReceived,
      bytes: d.bytesSent + d.bytesReceived,
      packetsSent: d.packetsSent,
      packetsReceived: d.packetsReceived,
      bytesSent: d.bytesSent,
      bytesReceived: d.bytesReceived,
    };
    if (withIdentity) j.identity = identityOf(ev.facts.values());
    if (withEvidence) j.evidence = ev.list();
    return j;
  }

  private dnsNames(ips: string[]): { name: string; source: string }[] {
    const out: { name: string; source: string }[] = [];
    for (const ip of ips)
      for (const name of this.resolved.get(ip)?.keys() ?? []) out.push({ name, source: 'dns.answer' });
    return out;
  }

  edgeJson(e: Edge): EdgeJson {
    return edgeJsonOf(e.a.id, e.b.id, e);
  }
}

/** A frame of an edge, kept in the part of the shares it went through (a: the share of e.a's end). */
function edgePart(
  e: Edge,
  sa: Share | null,
  sb: Share | null,
  aSent: boolean,
  p: Packet,
  len: number,
  frame: number,
): void {
  // Most frames of an edge go through its first part: known by its shares, without the key, which
  // (two share numbers in one) is no small integer and was boxed per frame.
  let part: EdgePart | undefined = e.part ?? undefined;
  if (part === undefined || part.sa !== sa || part.sb !== sb) {
    const k = partKey(sa, sb);
    part = findPart(e, k);
    if (part === undefined) {
      part = emptyPart(sa, sb, Math.floor(e.born / 4096) === frame ? e.born : frame * 4096 + 4095);
      putPart(e, k, part);
      sa?.edges.add(e);
      sb?.edges.add(e);
    }
  }
  if (aSent) {
    part.packetsAtoB++;
    part.bytesAtoB += len;
  } else {
    part.packetsBtoA++;
    part.bytesBtoA += len;
  }
  if (p.ts < part.first) part.first = p.ts;
  if (p.ts > part.last) part.last = p.ts;
  if (p.protoCount > 0) {
    const name = p.protos[p.protoCount - 1]!;
    // As in edge(): most frames name one of the last two, which the part holds (names only join it).
    if (name !== part.lastProto) {
      const list = part.protocols;
      if (name !== part.prevProto && !list.includes(name) && !SILENT.has(name)) list.push(name);
      part.prevProto = part.lastProto;
      part.lastProto = name;
    }
  }
}

/**
 * macIsGroup of the frame's destination, read here: a MAC passed as a number to a call V8 does not
 * inline is boxed (packet() is at its inlining budget).
 */
function dstMacIsGroup(p: Packet): boolean {
  return macIsGroup(p.dstMac);
}

/** The frame's protocol names, but for the link layers, added to a device's (or share's) set. */
function addNames(set: Set<string>, p: Packet): void {
  for (let i = 0; i < p.protoCount; i++) {
    const name = p.protos[i]!;
    if (!SILENT.has(name)) set.add(name);
  }
}

/** Addresses that count towards calling a MAC a router: link-local IPv6 is never forwarded. */
function routable(d: Device): number {
  if (d.ip6.size === 0) return d.ip4.size;
  // One host holds several IPv6 addresses in its network's /64 (stable and temporary ones, RFC 8981):
  // a router shows addresses of many networks, so IPv6 counts once per /64.
  const nets = new Set<string>();
  for (const ip of d.ip6.keys()) if (!ip.startsWith('fe80:')) nets.add(ipv6Prefix64(ip));
  return d.ip4.size + nets.size;
}

/** Unicast host addresses: not unspecified, not multicast (ff00::/8). */
function isUnicast6(a: string): boolean {
  return a !== '' && a !== '::' && !a.startsWith('ff');
}

/**
 * The ports a device serves: TCP ports it answered a SYN on, and the services its own protocols said
 * it serves (an S7 or Modbus answer, a DNS SRV record): the same facts its evidence lists, so the
 * details pane never says "none seen serving" beside evidence of a served port. Facts are bounded.
 */
/**
 * An edge's JSON from its ends' ids and what it carried (`a` to `b`): an Edge's, and a merge's edge
 * written without making Devices of its ends (partial-inventory.ts).
 */
export function edgeJsonOf(a: string, b: string, e: EdgeTraffic & { protocols: Iterable<string> }): EdgeJson {
  return {
    a,
    b,
    protocols: [...e.protocols].sort(),
    packets: e.packetsAtoB + e.packetsBtoA,
    bytes: e.bytesAtoB + e.bytesBtoA,
    packetsAtoB: e.packetsAtoB,
    packetsBtoA: e.packetsBtoA,
    bytesAtoB: e.bytesAtoB,
    bytesBtoA: e.bytesBtoA,
    firstSeen: isoTime(e.first),
    lastSeen: isoTime(e.last),
  };
}

function servicesOf(d: Device): DeviceJson['services'] {
  const tcp = new Set(d.servedTcp);
  const udp = new Set<number>();
  for (const f of d.evidence.facts.values()) {
    if (f.obs.kind !== 'service') continue;
    if (f.obs.transport === 'tcp') tcp.add(f.obs.port);
    else if (f.obs.transport === 'udp') udp.add(f.obs.port);
  }
  const byPort = (x: number, y: number) => x - y;
  return [
    ...[...tcp].sort(byPort).map((port) => ({ transport: 'tcp' as const, port })),
    ...[...udp].sort(byPort).map((port) => ({ transport: 'udp' as const, port })),
  ];
}

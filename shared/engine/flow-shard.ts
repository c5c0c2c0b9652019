/**
 * Which worker analyses a frame when a capture is shared among threads (issue 19): both directions
 * of a unicast IP conversation go to one worker (the unordered pair of addresses, so every flow
 * between two hosts, and its per-flow decoder state, stays together), and everything else (ARP,
 * broadcasts, multicast, other layer-2 protocols) goes by the sender's MAC, so a device's own
 * announcements are heard by one worker. Reads only fixed offsets of the frame; a frame too short or
 * of an unknown link type goes to worker 0. Never throws.
 */
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from '../decode/linktypes';
import { LinkOffsets } from './link-offsets';

const mix = (h: number, x: number) => Math.imul((h ^ x) >>> 0, 0x9e3779b1) ^ (x >>> 15);

function final(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash of `len` bytes at `at` (an address). */
function bytesHash(b: Uint8Array, at: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ b[at + i]!, 0x01000193);
  return h >>> 0;
}

/** Compares two addresses of `len` bytes: the pair is unordered, so its lower end goes first. */
function lower(b: Uint8Array, x: number, y: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (b[x + i] !== b[y + i]) return b[x + i]! < b[y + i]!;
  return true;
}

/** bytesHash of the 4 bytes at `at`, unrolled: every IPv4 frame hashes two addresses. */
function hash4(b: Uint8Array, at: number): number {
  let h = Math.imul(0x811c9dc5 ^ b[at]!, 0x01000193);
  h = Math.imul(h ^ b[at + 1]!, 0x01000193);
  h = Math.imul(h ^ b[at + 2]!, 0x01000193);
  return Math.imul(h ^ b[at + 3]!, 0x01000193) >>> 0;
}

/** The IP pair's key, or -1 when the packet is not unicast IP (then the caller uses the sender). */
function ipPairKey(b: Uint8Array, ip: number, end: number, ether: number): number {
  if (ether === 0x0800 || (ether === -1 && ip < end && b[ip]! >> 4 === 4)) {
    if (ip + 20 > end) return -1;
    const d = b[ip + 16]!;
    // Multicast and limited broadcast (a directed broadcast is told apart by the MAC, where one is).
    if (d >= 224) return -1;
    // The lower address first, as bytes compare: big-endian, unsigned.
    const s4 = ((b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!) >>> 0;
    const d4 = ((d << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!) >>> 0;
    const [x, y] = s4 <= d4 ? [ip + 12, ip + 16] : [ip + 16, ip + 12];
    return final(mix(mix(4, hash4(b, x)), hash4(b, y)));
  }
  if (ether === 0x86dd || (ether === -1 && ip < end && b[ip]! >> 4 === 6)) {
    if (ip + 40 > end || b[ip + 24] === 0xff) return -1;
    const [x, y] = lower(b, ip + 8, ip + 24, 16) ? [ip + 8, ip + 24] : [ip + 24, ip + 8];
    return final(mix(mix(6, bytesHash(b, x, 16)), bytesHash(b, y, 16)));
  }
  return -1;
}

const link = new LinkOffsets();

/**
 * The flow key of the frame `b[start, end)` of link type `lt`: the same for both directions of a
 * unicast IP conversation, else the sender's; -1 for a frame too short or of an unknown link type.
 */
export function flowKey(b: Uint8Array, start: number, end: number, lt: number): number {
  link.read(b, start, end, lt);
  return flowKeyAt(b, start, end, lt, link.type, link.net);
}

/** flowKey, with the frame's LinkOffsets (`type`, `net`) read already. */
export function flowKeyAt(
  b: Uint8Array,
  start: number,
  end: number,
  lt: number,
  type: number,
  net: number,
): number {
  if (net < 0) return -1;
  let key = -1;
  if (lt === LINKTYPE_ETHERNET) {
    // A frame to a group MAC (broadcast, multicast) is the sender's own news.
    if ((b[start]! & 1) === 0) key = ipPairKey(b, net, end, type);
    if (key < 0) key = final(mix(2, bytesHash(b, start + 6, 6)));
  } else if (lt === LINKTYPE_LINUX_SLL || lt === LINKTYPE_LINUX_SLL2) {
    const sll2 = lt === LINKTYPE_LINUX_SLL2;
    key = ipPairKey(b, net, end, type);
    if (key < 0) {
      // The sender's link-layer address (up to 8 bytes).
      const alen = Math.min(8, sll2 ? b[start + 11]! : (b[start + 4]! << 8) | b[start + 5]!);
      key = final(mix(2, bytesHash(b, start + (sll2 ? 12 : 6), alen)));
    }
  } else {
    key = ipPairKey(b, net, end, -1);
    // Multicast without a MAC: by the sender's address.
    if (key < 0 && net + 20 <= end) key = final(mix(3, bytesHash(b, net + (b[net]! >> 4 === 6 ? 8 : 12), 4)));
  }
  return key;
}

/** Buckets of flow keys: a power of two, many more than conversations need to spread evenly. */
const BUCKETS = 1 << 16;

/**
 * Which worker (0..n-1) analyses each frame. A bucket of flow keys goes, when first seen, to the
 * worker that was given the fewest frames so far, and stays there: a hash alone split the bench
 * capture 70/30 between two workers (one conversation carries a quarter of its frames), so one
 * worker idled while the other held up the reader. Deterministic: the same frames in the same order
 * give the same shares. Frames without a key go to worker 0.
 */
export class FlowShards {
  private readonly owner = new Uint16Array(BUCKETS).fill(0xffff);
  private readonly load: number[];
  /** What is added to a worker's load per frame it is given. */
  private readonly cost: number[];
  private readonly given: number[];
  constructor(
    readonly n: number,
    /** Per worker, what one of its frames weighs (1 each by default): a busier thread takes fewer. */
    weights: readonly number[] = [],
  ) {
    this.load = new Array<number>(n).fill(0);
    this.given = new Array<number>(n).fill(0);
    this.cost = Array.from({ length: n }, (_, i) => weights[i] ?? 1);
  }

  of(b: Uint8Array, start: number, end: number, lt: number): number {
    return this.n <= 1 ? 0 : this.ofKey(flowKey(b, start, end, lt));
  }

  /** The worker for a frame of flow key `key` (flowKeyAt; -1: none). */
  ofKey(key: number): number {
    if (this.n <= 1) return 0;
    let w = 0;
    if (key >= 0) {
      const k = key & (BUCKETS - 1);
      w = this.owner[k]!;
      if (w === 0xffff) {
        w = 0;
        for (let i = 1; i < this.n; i++) if (this.load[i]! < this.load[w]!) w = i;
        this.owner[k] = w;
      }
    }
    this.load[w]! += this.cost[w]!;
    this.given[w]!++;
    return w;
  }

  /** Frames given to each worker so far. */
  shares(): readonly number[] {
    return this.given;
  }
}

/**
 * Whether the frame may be a TCP segment with SYN set, straight over IPv4 or IPv6 (no tunnel, no
 * IPv6 extension header): the reader decides whether such a SYN repeats (SynRepeats) for the
 * workers. A frame this misses is decided by its worker, as before.
 */
export function maybeTcpSyn(b: Uint8Array, start: number, end: number, lt: number): boolean {
  link.read(b, start, end, lt);
  return maybeTcpSynAt(b, end, lt, link.type, link.net);
}

/** maybeTcpSyn, with the frame's LinkOffsets (`type`, `net`) read already. */
export function maybeTcpSynAt(b: Uint8Array, end: number, lt: number, type: number, net: number): boolean {
  // Past a link header that names its protocol, only IPv4 and IPv6.
  const named = lt === LINKTYPE_ETHERNET || lt === LINKTYPE_LINUX_SLL || lt === LINKTYPE_LINUX_SLL2;
  if (named && type !== 0x0800 && type !== 0x86dd) return false;
  const ip = net;
  if (ip < 0 || ip >= end) return false;
  let tcp: number;
  if (b[ip]! >> 4 === 4) {
    if (ip + 20 > end || b[ip + 9] !== 6) return false;
    tcp = ip + (b[ip]! & 15) * 4;
  } else if (b[ip]! >> 4 === 6) {
    if (ip + 40 > end || b[ip + 6] !== 6) return false;
    tcp = ip + 40;
  } else return false;
  return tcp + 14 <= end && (b[tcp + 13]! & 0x02) !== 0;
}

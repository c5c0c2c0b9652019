import type { Packet } from './packet';

/**
 * Pairs kept: masters and the devices they talk to. A plant has hundreds; a scan thousands, whose
 * one-off pairs are dropped first (see PairTable.get).
 */
export const PAIR_CAPACITY = 4096;

/** One master-device pair of addresses, whatever the ports or connections between them. */
export interface PairEntry {
  /** Per-protocol state, as a flow has it. */
  readonly state: Map<string, object>;
  /** IPv4 addresses (IP version 4), MACs (no IP layer), or 0 beside IPv6 text. */
  readonly master: number;
  readonly device: number;
  readonly master6: string;
  readonly device6: string;
  readonly ipVersion: number;
  /** The table's insertion count when the pair was last put at its young end. */
  at: number;
}

/**
 * Bounded table of per-pair state, keyed by a hash of the ordered (master, device) addresses: ordered,
 * since two devices may each poll the other, and the dissector says which end of a packet is the
 * master. The network layer's addresses (the innermost, as the flow table's), MACs where there is none.
 * Nothing here ages out (a pair polled every fifteen minutes keeps its state); when full, the pair
 * least recently put at the young end is dropped, and a pair still in use is moved there once it has
 * aged by half the table (a Map keeps insertion order), so what is polled outlives a scan's one-offs
 * at the cost of one move per half-table of new pairs. A hash collision replaces the older pair.
 */
export class PairTable {
  private readonly map = new Map<number, PairEntry>();
  private inserted = 0;
  constructor(readonly capacity = PAIR_CAPACITY) {}

  get size(): number {
    return this.map.size;
  }

  /** The pair of `p`'s ends, `src` being the master when `masterIsSrc`; made on first use. */
  get(p: Packet, masterIsSrc: boolean): PairEntry {
    const v = p.ipVersion;
    const src = v === 4 ? p.src4 : v === 6 ? 0 : p.srcMac;
    const dst = v === 4 ? p.dst4 : v === 6 ? 0 : p.dstMac;
    const master = masterIsSrc ? src : dst;
    const device = masterIsSrc ? dst : src;
    const master6 = masterIsSrc ? p.src6 : p.dst6;
    const device6 = masterIsSrc ? p.dst6 : p.src6;
    // MACs are 48-bit: their high half is folded in.
    let h =
      Math.imul((master | 0) ^ Math.floor(master / 4294967296) ^ 0x9e3779b9, 0x85ebca6b) ^
      Math.imul((device | 0) ^ Math.floor(device / 4294967296), 0xc2b2ae35) ^
      v;
    if (v === 6) h ^= strHash(master6) ^ Math.imul(strHash(device6), 31);
    // A signed 32-bit key stays a small integer for the Map.
    h = (h ^ (h >>> 15)) | 0;
    let e = this.map.get(h);
    if (
      e !== undefined &&
      (e.master !== master ||
        e.device !== device ||
        e.ipVersion !== v ||
        e.master6 !== master6 ||
        e.device6 !== device6)
    ) {
      this.map.delete(h);
      e = undefined;
    }
    if (e === undefined) {
      if (this.map.size >= this.capacity) {
        const oldest = this.map.keys().next().value;
        if (oldest !== undefined) this.map.delete(oldest);
      }
      e = { state: new Map(), master, device, master6, device6, ipVersion: v, at: this.inserted++ };
      this.map.set(h, e);
    } else if (this.inserted - e.at > this.capacity >> 1) {
      this.map.delete(h);
      this.map.set(h, e);
      e.at = this.inserted++;
    }
    return e;
  }
}

function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

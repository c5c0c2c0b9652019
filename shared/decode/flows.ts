import type { Packet } from './packet';

/** A per-flow record: which app protocol it was pinned to, and per-protocol state. */
export interface FlowEntry {
  /** The app protocol the flow was recognised as, '' for "none found", null while undecided. */
  pinned: string | null;
  /** Payload packets offered to the heuristics without a match. */
  tries: number;
  /** Per-protocol state, made when a dissector first asks (most flows never need one). */
  state: Map<string, object> | null;
  /** The app protocol that said it learnt all it can from this flow (AppContext.finished), or null. */
  finished: string | null;
  lastTs: number;
  /** The tuple, direction-independent, to tell hash collisions apart. */
  a: number;
  b: number;
  a6: string;
  b6: string;
  ports: number;
  proto: number;
  /**
   * TCP: the sequence number just past the highest payload byte seen from `a` and from `b` (-1 before
   * the first payload), to tell retransmitted data from new; and one gap below it (start and end, -1
   * for none), so that a segment arriving late (reordered) still counts as new.
   */
  seqEndA: number;
  seqEndB: number;
  holeA: number;
  holeEndA: number;
  holeB: number;
  holeEndB: number;
}

/**
 * Bounded flow table keyed by a hash of the direction-independent 5-tuple (numbers, no strings: it
 * is consulted per packet). A hash collision replaces the older flow. When full, the least recently
 * inserted flow is dropped (Map keeps insertion order), so memory stays bounded on long captures.
 */
export class FlowTable {
  private readonly map = new Map<number, FlowEntry>();
  constructor(readonly capacity = 65536) {}

  get size(): number {
    return this.map.size;
  }

  get(p: Packet, create: boolean): FlowEntry | undefined {
    // Order the endpoints so both directions share one entry.
    let a: number, b: number, a6: string, b6: string, pa: number, pb: number;
    // The ports are compared on every packet, not only between equal addresses (rare): a comparison
    // the optimised code has never seen run throws that code away when it first runs.
    const portsFwd = p.srcPort <= p.dstPort;
    const fwd =
      p.ipVersion === 4
        ? p.src4 < p.dst4 || (p.src4 === p.dst4 && portsFwd)
        : p.src6 < p.dst6 || (p.src6 === p.dst6 && portsFwd);
    if (fwd) {
      a = p.src4;
      b = p.dst4;
      a6 = p.src6;
      b6 = p.dst6;
      pa = p.srcPort;
      pb = p.dstPort;
    } else {
      a = p.dst4;
      b = p.src4;
      a6 = p.dst6;
      b6 = p.src6;
      pa = p.dstPort;
      pb = p.srcPort;
    }
    const ports = pa * 65536 + pb;
    let h =
      Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^
      Math.imul(b, 0xc2b2ae35) ^
      Math.imul(ports, 0x27d4eb2f) ^
      p.ipProto;
    if (p.ipVersion === 6) h ^= strHash(a6) ^ Math.imul(strHash(b6), 31);
    // A signed 32-bit key stays a small integer for the Map (an unsigned one above 2^31 is boxed).
    h = (h ^ (h >>> 15)) | 0;
    let e = this.map.get(h);
    if (
      e !== undefined &&
      (e.a !== a || e.b !== b || e.ports !== ports || e.proto !== p.ipProto || e.a6 !== a6 || e.b6 !== b6)
    ) {
      if (!create) return undefined;
      this.map.delete(h);
      e = undefined;
    }
    if (e === undefined) {
      if (!create) return undefined;
      if (this.map.size >= this.capacity) {
        const oldest = this.map.keys().next().value;
        if (oldest !== undefined) this.map.delete(oldest);
      }
      e = {
        pinned: null,
        tries: 0,
        state: null,
        finished: null,
        lastTs: p.ts,
        a,
        b,
        a6,
        b6,
        ports,
        proto: p.ipProto,
        seqEndA: -1,
        seqEndB: -1,
        holeA: -1,
        holeEndA: -1,
        holeB: -1,
        holeEndB: -1,
      };
      this.map.set(h, e);
    }
    e.lastTs = p.ts;
    return e;
  }

  /**
   * A TCP payload of `len` bytes of this flow: false when every byte of it was seen before (a
   * retransmission, a keep-alive probe), true when it brings new data, and the marks move. Data past
   * the highest mark is new; below it, only data in the one gap remembered (segments reordered on
   * the way) is. Sequence numbers compare modulo 2^32, as TCP's do.
   */
  newTcpData(e: FlowEntry, p: Packet, len: number): boolean {
    const fromA =
      p.srcPort === Math.floor(e.ports / 65536) && (p.ipVersion === 6 ? p.src6 === e.a6 : p.src4 === e.a);
    const seq = p.tcpSeq;
    const end = (seq + len) >>> 0;
    const mark = fromA ? e.seqEndA : e.seqEndB;
    if (mark < 0 || ((end - mark) | 0) > 0) {
      // Jumping past the mark leaves a gap; the first one is remembered.
      const gap = mark >= 0 && ((seq - mark) | 0) > 0;
      if (fromA) {
        e.seqEndA = end;
        if (gap && e.holeA < 0) {
          e.holeA = mark;
          e.holeEndA = seq;
        }
      } else {
        e.seqEndB = end;
        if (gap && e.holeB < 0) {
          e.holeB = mark;
          e.holeEndB = seq;
        }
      }
      return true;
    }
    const hole = fromA ? e.holeA : e.holeB;
    const holeEnd = fromA ? e.holeEndA : e.holeEndB;
    if (hole < 0 || ((end - hole) | 0) <= 0 || ((holeEnd - seq) | 0) <= 0) return false;
    // Late data in the gap: taken as filling it (one gap is all that is remembered).
    if (fromA) e.holeA = e.holeEndA = -1;
    else e.holeB = e.holeEndB = -1;
    return true;
  }

  /** Drop flows idle for longer than `idleMs` (called now and then by the engine, not per packet). */
  expire(nowMs: number, idleMs: number): number {
    // forEach, not for-of: the table holds up to 65536 flows, and for-of makes an entry array (and
    // an iterator result) for each of them.
    let n = 0;
    this.map.forEach((e, k) => {
      if (nowMs - e.lastTs > idleMs) {
        this.map.delete(k);
        n++;
      }
    });
    return n;
  }
}

function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

import type { Packet } from './packet';
import { ipv4ToString } from '../util/addr';

/** A per-flow record: which app protocol it was pinned to, and per-protocol state. */
export interface FlowEntry {
  pinned: string | null;
  state: Map<string, object>;
  lastTs: number;
}

/**
 * Bounded flow table keyed by the direction-independent 5-tuple. When full, the least recently
 * inserted flow is dropped (Map keeps insertion order), so memory stays bounded on long captures.
 */
export class FlowTable {
  private readonly map = new Map<string, FlowEntry>();
  constructor(readonly capacity = 65536) {}

  get size(): number {
    return this.map.size;
  }

  key(p: Packet): string {
    const a = p.ipVersion === 4 ? ipv4ToString(p.src4) : p.src6;
    const b = p.ipVersion === 4 ? ipv4ToString(p.dst4) : p.dst6;
    const x = a + '/' + p.srcPort;
    const y = b + '/' + p.dstPort;
    return p.ipProto + (x < y ? x + '>' + y : y + '>' + x);
  }

  get(p: Packet, create: boolean): FlowEntry | undefined {
    const k = this.key(p);
    let e = this.map.get(k);
    if (e === undefined && create) {
      if (this.map.size >= this.capacity) {
        const oldest = this.map.keys().next().value;
        if (oldest !== undefined) this.map.delete(oldest);
      }
      e = { pinned: null, state: new Map(), lastTs: p.ts };
      this.map.set(k, e);
    }
    if (e !== undefined) e.lastTs = p.ts;
    return e;
  }

  /** Drop flows idle for longer than `idleMs` (called now and then by the engine, not per packet). */
  expire(nowMs: number, idleMs: number): number {
    let n = 0;
    for (const [k, e] of this.map) {
      if (nowMs - e.lastTs > idleMs) {
        this.map.delete(k);
        n++;
      }
    }
    return n;
  }
}

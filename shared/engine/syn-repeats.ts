/**
 * A host opens many connections with the same SYN: its signature is observed once per repeat window
 * (source address, flags and every field a signature reads, hashed; bounded table). The analyzer
 * asks for every SYN it sees; the reader of a capture shared among threads asks for every SYN of the
 * capture, since one sender's SYNs to several peers go to several workers (analysis-threads).
 */
import type { Packet } from '../decode/packet';

function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

export class SynRepeats {
  private readonly seen = new Map<number, number>();
  constructor(private readonly windowMs: number) {}

  /** Whether this SYN's signature was observed from its sender within the window (else it is now). */
  repeat(p: Packet): boolean {
    if (this.windowMs <= 0) return false;
    let h = Math.imul(p.ipVersion === 4 ? p.src4 : strHash(p.src6), 0x9e3779b1);
    h = Math.imul(h ^ (p.tcpFlags & 0xd2), 0x85ebca6b) ^ p.ttl;
    h = Math.imul(h ^ p.tcpWindow, 0xc2b2ae35) ^ (p.tcpMss << 8) ^ p.tcpWscale;
    h =
      Math.imul(h ^ strHash(p.tcpOptionLayout), 0x27d4eb2f) ^
      (p.dontFragment ? 1 : 0) ^
      (p.ipId === 0 ? 2 : 0) ^
      (p.ecn << 2) ^
      (p.ipOptionBytes << 4);
    // Signed: a small integer for the Map, where an unsigned key above 2^31 is boxed on every call.
    h |= 0;
    const last = this.seen.get(h);
    if (last !== undefined && p.ts >= last && p.ts - last < this.windowMs) return true;
    if (this.seen.size >= 16384) this.seen.clear();
    this.seen.set(h, p.ts);
    return false;
  }
}

/**
 * Where a verbatim UDP copy goes when a capture is shared among workers (issue 19). One analysis
 * dissects a payload its sender sent from one port only once a repeat window (Decoder.app: the
 * announcement every few seconds says nothing new); workers each remember what they dissected, and a
 * sender's copies to several peers go to several workers (by address pair), each of which dissected
 * its first. The reader, which sees every frame, sends each copy (same sender MAC, source port and
 * payload bytes) to the worker that got the first one, whose memory then decides as one analysis's
 * does. A copy one analysis does not dissect is only counted, so where it is counted does not matter.
 * Reads fixed offsets of Ethernet frames (VLAN tags allowed) carrying UDP over IPv4 or IPv6 (no
 * extension header); never throws. Bounded: past `max` payloads the table starts over, as the
 * decoder's memory does.
 */
import { LINKTYPE_ETHERNET } from '../decode/linktypes';
import { LinkOffsets } from './link-offsets';

export class UdpCopies {
  private readonly first = new Map<number, number>();
  constructor(private readonly max = 1 << 16) {}

  private readonly link = new LinkOffsets();

  /** The worker for this frame: `w` (its own), or the one that got an earlier copy of its payload. */
  route(b: Uint8Array, start: number, end: number, lt: number, w: number): number {
    const link = this.link.read(b, start, end, lt);
    return this.routeAt(b, start, end, lt, link.type, link.net, w);
  }

  /** route(), with the frame's LinkOffsets (`type`, `net`) read already. */
  routeAt(
    b: Uint8Array,
    start: number,
    end: number,
    lt: number,
    type: number,
    ip: number,
    w: number,
  ): number {
    if (lt !== LINKTYPE_ETHERNET || ip < 0) return w;
    let u: number;
    let stop: number;
    if (type === 0x0800) {
      if (ip + 20 > end || b[ip]! >> 4 !== 4 || b[ip + 9] !== 17) return w;
      // Later fragments carry no UDP header.
      if ((((b[ip + 6]! << 8) | b[ip + 7]!) & 0x1fff) !== 0) return w;
      u = ip + (b[ip]! & 15) * 4;
      stop = Math.min(end, ip + ((b[ip + 2]! << 8) | b[ip + 3]!));
    } else if (type === 0x86dd) {
      if (ip + 40 > end || b[ip]! >> 4 !== 6 || b[ip + 6] !== 17) return w;
      u = ip + 40;
      stop = Math.min(end, u + ((b[ip + 4]! << 8) | b[ip + 5]!));
    } else return w;
    if (u + 8 > stop) return w;
    // The UDP length bounds the payload, as the decoder reads it.
    stop = Math.min(stop, u + ((b[u + 4]! << 8) | b[u + 5]!));
    let h = 0x811c9dc5 ^ (stop - u);
    for (let i = start + 6; i < start + 12; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    h = Math.imul(h ^ b[u]!, 0x01000193);
    h = Math.imul(h ^ b[u + 1]!, 0x01000193);
    // The payload four bytes a step (its length is in the hash already): each step is a bijection of
    // the hash, so payloads that differ in one step still differ.
    let i = u + 8;
    for (; i + 4 <= stop; i += 4)
      h = Math.imul(h ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)), 0x01000193);
    for (; i < stop; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const had = this.first.get(h);
    if (had !== undefined) return had;
    if (this.first.size >= this.max) this.first.clear();
    this.first.set(h, w);
    return w;
  }
}

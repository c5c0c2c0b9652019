/**
 * Where a frame's network layer starts, read once per frame by the reader of a capture shared among
 * workers for everything that routes it (flow-shard.ts, router-watch.ts, udp-repeats.ts): each used
 * to find it on its own, up to four times a frame. Reads fixed offsets only; never throws.
 */
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_OLD,
  LINKTYPE_RAW_OLD2,
} from '../decode/linktypes';
import { etherTypeAt } from './ether-offsets';

export class LinkOffsets {
  /** The network layer's EtherType (Ethernet past its VLAN tags, Linux cooked capture); -1 for bare IP. */
  type = -1;
  /**
   * Where the network layer starts: -1 when the frame is too short for its link header or its link
   * type is not read here. For bare IP link types it is not checked against the frame's end.
   */
  net = -1;

  /** The offsets of the frame `b[start, end)` of link type `lt`. */
  read(b: Uint8Array, start: number, end: number, lt: number): this {
    this.type = -1;
    this.net = -1;
    if (lt === LINKTYPE_ETHERNET) {
      const o = etherTypeAt(b, start, end);
      if (o >= 0) {
        this.type = (b[o]! << 8) | b[o + 1]!;
        this.net = o + 2;
      }
    } else if (lt === LINKTYPE_LINUX_SLL || lt === LINKTYPE_LINUX_SLL2) {
      const sll2 = lt === LINKTYPE_LINUX_SLL2;
      const hdr = sll2 ? 20 : 16;
      if (end - start >= hdr) {
        this.type = sll2 ? (b[start]! << 8) | b[start + 1]! : (b[start + 14]! << 8) | b[start + 15]!;
        this.net = start + hdr;
      }
    } else if (
      lt === LINKTYPE_RAW ||
      lt === LINKTYPE_RAW_OLD ||
      lt === LINKTYPE_RAW_OLD2 ||
      lt === LINKTYPE_IPV4 ||
      lt === LINKTYPE_IPV6
    )
      this.net = start;
    else if (lt === LINKTYPE_NULL || lt === LINKTYPE_LOOP) this.net = start + 4;
    return this;
  }
}

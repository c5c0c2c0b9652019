import type { ByteWindow } from '../window';
import type { Packet } from '../packet';
import type { Layer } from '../layer';
import { ipv6ToString } from '../../util/addr';

const ROUTER_SOLICITATION = 133;
const ROUTER_ADVERTISEMENT = 134;
const NEIGHBOR_SOLICITATION = 135;
const NEIGHBOR_ADVERTISEMENT = 136;
const OPT_SOURCE_LINK_ADDR = 1;
const OPT_TARGET_LINK_ADDR = 2;
/** Each option is at least 8 bytes, so the window bounds the walk too; this bounds the work. */
const MAX_ND_OPTIONS = 64;

/**
 * ICMPv6 (RFC 4443): type and code; for neighbour discovery (RFC 4861) the target address, router
 * lifetime and link-layer address option, which tie an IPv6 address to a MAC.
 */
export const icmpv6: Layer = {
  name: 'icmpv6',
  ipProtocols: [58],
  dissect(w, p) {
    if (w.length < 4) {
      p.markMalformed('icmpv6: truncated');
      return;
    }
    p.addProto('icmpv6');
    const type = w.u8(0);
    p.icmpType = type;
    p.icmpCode = w.u8(1);
    switch (type) {
      case ROUTER_SOLICITATION:
        ndOptions(w, 8, p);
        break;
      case ROUTER_ADVERTISEMENT:
        if (!w.has(0, 16)) {
          p.markMalformed('icmpv6: truncated');
          return;
        }
        p.raLifetime = w.u16(6);
        ndOptions(w, 16, p);
        break;
      case NEIGHBOR_SOLICITATION:
      case NEIGHBOR_ADVERTISEMENT:
        if (!w.has(0, 24)) {
          p.markMalformed('icmpv6: truncated');
          return;
        }
        p.ndTarget = ipv6ToString(w.buf, w.start + 8);
        ndOptions(w, 24, p);
        break;
    }
  },
};

/** Walk ND options from `o`; a zero length is malformed (RFC 4861 says discard) and ends the walk. */
function ndOptions(w: ByteWindow, o: number, p: Packet): void {
  for (let i = 0; i < MAX_ND_OPTIONS && o < w.length; i++) {
    if (!w.has(o, 2)) {
      p.markMalformed('icmpv6: truncated option');
      return;
    }
    const type = w.u8(o);
    const len = w.u8(o + 1) * 8;
    if (len === 0) {
      p.markMalformed('icmpv6: option length 0');
      return;
    }
    if (!w.has(o, len)) {
      p.markMalformed('icmpv6: truncated option');
      return;
    }
    // Ethernet link-layer addresses: one 8-byte unit, the MAC at offset 2.
    if ((type === OPT_SOURCE_LINK_ADDR || type === OPT_TARGET_LINK_ADDR) && len === 8)
      p.ndLinkAddr = w.u48(o + 2);
    o += len;
  }
}

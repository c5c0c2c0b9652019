import { type Layer, NEXT_ETHERTYPE } from '../layer';
import { LINKTYPE_NFLOG } from '../linktypes';
import type { ByteWindow } from '../window';

const NFULA_HWADDR = 8;
const NFULA_PAYLOAD = 9;
/** A logged packet carries a dozen attributes; more is hostile. */
const MAX_TLVS = 64;

/** TLV lengths and types are in the capturing host's byte order: the first TLV tells which. */
function littleEndian(w: ByteWindow): boolean {
  if (!w.has(4, 4)) return true;
  const le = w.u16le(4);
  return le >= 4 && le <= w.length - 4 && w.u16le(6) < 256;
}

/**
 * Linux NFLOG (LINKTYPE_NFLOG, what `tcpdump -i nflog:N` writes): address family, version and
 * resource id, then type-length-value attributes padded to 4 bytes. NFULA_PAYLOAD holds the logged
 * IPv4 or IPv6 packet; NFULA_HWADDR, when present, the source MAC of a received packet.
 */
export const nflog: Layer = {
  name: 'nflog',
  linkTypes: [LINKTYPE_NFLOG],
  dissect(w, p, next) {
    if (w.length < 4) {
      p.markMalformed('nflog: truncated');
      return;
    }
    p.addProto('nflog');
    const le = littleEndian(w);
    let o = 4;
    for (let i = 0; i < MAX_TLVS && w.has(o, 4); i++) {
      const len = le ? w.u16le(o) : w.u16(o);
      const type = (le ? w.u16le(o + 2) : w.u16(o + 2)) & 0x7fff; // top bit: NLA_F_NESTED
      if (len < 4 || !w.has(o, len)) {
        p.markMalformed('nflog: truncated');
        return;
      }
      // struct nfulnl_msg_packet_hw: a big-endian address length, 2 bytes pad, 8 address bytes.
      if (type === NFULA_HWADDR && len >= 16 && w.u16(o + 4) === 6) p.srcMac = w.u48(o + 8);
      if (type === NFULA_PAYLOAD) {
        const version = len > 4 ? w.u8(o + 4) >>> 4 : 0;
        if (version === 4 || version === 6)
          next.set(NEXT_ETHERTYPE, version === 4 ? 0x0800 : 0x86dd, o + 4, len - 4);
        else p.markMalformed('nflog: payload is not IP');
        return;
      }
      o += (len + 3) & ~3;
    }
    if (o < w.length && !w.has(o, 4)) p.markMalformed('nflog: truncated');
  },
};

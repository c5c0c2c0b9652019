import { type Layer, NEXT_IPPROTO } from '../layer';
import { ipv6ToString } from '../../util/addr';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AH = 51;
const NO_NEXT = 59;
const DEST_OPTS = 60;
/** Mobility, HIP and Shim6 share the generic extension header format (RFC 7045). */
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;
/** Real packets carry a handful of extension headers; a longer chain is hostile. */
const MAX_EXT_HEADERS = 16;

/** Next-header values that are extension headers (1) rather than an upper-layer protocol (0). */
const IS_EXTENSION = new Uint8Array(256);
for (const nh of [HOP_BY_HOP, ROUTING, FRAGMENT, DEST_OPTS, AH, MOBILITY, HIP, SHIM6]) IS_EXTENSION[nh] = 1;

/**
 * IPv6 (RFC 8200): fixed header, payload length bound, then the extension header chain, walked with
 * a bound. A fragment header with a non-zero offset makes a later fragment (counted, not decoded).
 */
export const ipv6: Layer = {
  name: 'ipv6',
  etherTypes: [0x86dd],
  dissect(w, p, next) {
    if (w.length < 40) {
      p.markMalformed('ipv6: truncated');
      return;
    }
    const w0 = w.u32(0);
    if (w0 >>> 28 !== 6) {
      p.markMalformed('ipv6: version is not 6');
      return;
    }
    p.addProto('ipv6');
    const plen = w.u16(4);
    let nh = w.u8(6);
    p.ipVersion = 6;
    p.src4 = p.dst4 = 0;
    p.ipId = -1;
    p.dontFragment = p.moreFragments = false;
    p.fragOffset = 0;
    p.ipOptionBytes = 0;
    p.ecn = (w0 >>> 20) & 0x03;
    p.ttl = w.u8(7);
    p.src6 = ipv6ToString(w.buf, w.start + 8);
    p.dst6 = ipv6ToString(w.buf, w.start + 24);
    let end = 40 + plen;
    // A zero payload length with a hop-by-hop header is a jumbogram (RFC 2675): the frame bounds it.
    if (end > w.length || (plen === 0 && nh === HOP_BY_HOP)) {
      if (plen !== 0) p.markMalformed('ipv6: truncated');
      end = w.length;
    }
    let o = 40;
    for (let i = 0; IS_EXTENSION[nh] === 1; i++) {
      if (i === MAX_EXT_HEADERS) {
        p.markMalformed('ipv6: too many extension headers');
        return;
      }
      if (o + 8 > end) {
        p.markMalformed('ipv6: truncated extension header');
        return;
      }
      const len = nh === FRAGMENT ? 8 : nh === AH ? (w.u8(o + 1) + 2) * 4 : (w.u8(o + 1) + 1) * 8;
      if (nh === FRAGMENT) {
        const off = w.u16(o + 2);
        p.fragOffset = off & 0xfff8;
        p.moreFragments = (off & 0x0001) !== 0;
        p.ipId = w.u32(o + 4);
      }
      nh = w.u8(o);
      o += len;
      if (o > end) {
        p.markMalformed('ipv6: truncated extension header');
        return;
      }
    }
    p.ipProto = nh;
    p.ipHeaderLen = o;
    if (p.fragOffset > 0) {
      p.laterFragment = true;
      return;
    }
    if (nh === NO_NEXT) return;
    next.set(NEXT_IPPROTO, nh, o, end - o);
  },
};

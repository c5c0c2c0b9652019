import { type Layer, NEXT_ETHERTYPE } from '../layer';
import { LINKTYPE_LOOP, LINKTYPE_NULL } from '../linktypes';

const AF_INET = 2;
/** AF_INET6 differs by OS: 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly), 30 (macOS). */
const AF_INET6_BSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

/**
 * BSD loopback: a 4-byte address family, then IP. LINKTYPE_NULL writes the family in the capturing
 * host's byte order: families are small, so a value with high bits set was written little-endian.
 * LINKTYPE_LOOP (OpenBSD) always uses network byte order.
 */
export const loopback: Layer = {
  name: 'loopback',
  linkTypes: [LINKTYPE_NULL, LINKTYPE_LOOP],
  dissect(w, p, next) {
    if (w.length < 4) {
      p.markMalformed('loopback: truncated');
      return;
    }
    p.addProto('loopback');
    let af = w.u32(0);
    if (p.linkType === LINKTYPE_NULL && (af & 0xffff0000) !== 0) af = w.u32le(0);
    if (af === AF_INET) next.set(NEXT_ETHERTYPE, 0x0800, 4);
    else if (af === AF_INET6_BSD || af === AF_INET6_FREEBSD || af === AF_INET6_DARWIN) {
      next.set(NEXT_ETHERTYPE, 0x86dd, 4);
    }
  },
};

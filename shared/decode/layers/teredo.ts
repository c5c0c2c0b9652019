import type { Layer } from '../layer';
import { innerIp } from './inner';

/** Header type words that precede the IPv6 packet (RFC 4380 5.1.1). */
const AUTHENTICATION = 0x0001;
const ORIGIN_INDICATION = 0x0000;

/**
 * Teredo (RFC 4380) on its server port: IPv6 in UDP, optionally preceded by an authentication header
 * (0x0001, id and auth lengths, client id, auth value, 8-byte nonce, confirmation byte) and an origin
 * indication (0x0000, obfuscated port and IPv4 address, 8 bytes), in that order. Anything that is
 * not then an IPv6 header is left alone: port 3544 is not reserved for Teredo everywhere.
 */
export const teredo: Layer = {
  name: 'teredo',
  udpPorts: [3544],
  dissect(w, p, next) {
    let o = 0;
    if (w.has(0, 4) && w.u16(0) === AUTHENTICATION) {
      o = 4 + w.u8(2) + w.u8(3) + 8 + 1;
    }
    if (w.has(o, 2) && w.u16(o) === ORIGIN_INDICATION) o += 8;
    if (!w.has(o, 40)) {
      // A header that announced itself and then ran out is malformed; a datagram too short to hold any
      // IPv6 header was not Teredo to begin with.
      if (o > 0 && w.length >= 40) p.markMalformed('teredo: truncated');
      return;
    }
    // Teredo carries exactly one IPv6 packet: its payload length must account for the rest (unless the
    // capture cut it), which keeps stray datagrams on 3544 from being read as tunnelled IPv6.
    const ipEnd = o + 40 + w.u16(o + 4);
    if (w.u8(o) >>> 4 !== 6 || (ipEnd !== w.length && !(ipEnd > w.length && p.capLen < p.wireLen))) return;
    p.addProto('teredo');
    innerIp(p, next, 6, o);
  },
};

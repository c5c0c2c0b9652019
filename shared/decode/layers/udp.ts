import { type Layer, NEXT_UDP } from '../layer';

/** UDP (RFC 768): ports, and the length field, which bounds the payload. */
export const udp: Layer = {
  name: 'udp',
  ipProtocols: [17],
  dissect(w, p, next) {
    if (w.length < 8) {
      p.markMalformed('udp: truncated');
      return;
    }
    p.addProto('udp');
    const src = w.u16(0);
    const dst = w.u16(2);
    p.srcPort = src;
    p.dstPort = dst;
    let len = w.u16(4);
    if (len < 8) {
      p.markMalformed('udp: length < 8');
      return;
    }
    if (len > w.length) {
      p.markMalformed('udp: truncated');
      len = w.length;
    }
    next.set(NEXT_UDP, dst, 8, len - 8, src);
  },
};

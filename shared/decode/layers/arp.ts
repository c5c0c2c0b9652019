import type { Layer } from '../layer';

/**
 * ARP (RFC 826), and RARP (RFC 903), which shares its format. Only Ethernet/IPv4 ARP has its
 * addresses recorded; for other hardware or protocol address sizes the operation alone is kept.
 */
export const arp: Layer = {
  name: 'arp',
  etherTypes: [0x0806, 0x8035],
  dissect(w, p) {
    if (w.length < 8) {
      p.markMalformed('arp: truncated');
      return;
    }
    p.addProto('arp');
    const htype = w.u16(0);
    const ptype = w.u16(2);
    const hlen = w.u8(4);
    const plen = w.u8(5);
    p.arpOp = w.u16(6);
    if (!w.has(8, 2 * (hlen + plen))) {
      p.markMalformed('arp: truncated');
      return;
    }
    if (htype !== 1 || ptype !== 0x0800 || hlen !== 6 || plen !== 4) return;
    p.arpSha = w.u48(8);
    p.arpSpa = w.u32(14);
    p.arpTha = w.u48(18);
    p.arpTpa = w.u32(24);
  },
};

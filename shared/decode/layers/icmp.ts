import type { Layer } from '../layer';

/**
 * ICMP for IPv4: type and code. Error messages quote the offending IP header; it is not decoded, so
 * the quoted addresses never overwrite the real ones.
 */
export const icmp: Layer = {
  name: 'icmp',
  ipProtocols: [1],
  dissect(w, p) {
    if (w.length < 4) {
      p.markMalformed('icmp: truncated');
      return;
    }
    p.addProto('icmp');
    p.icmpType = w.u8(0);
    p.icmpCode = w.u8(1);
  },
};

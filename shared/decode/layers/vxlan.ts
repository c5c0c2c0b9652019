import { type Layer, NEXT_LINKTYPE } from '../layer';
import { LINKTYPE_ETHERNET } from '../linktypes';

const FLAG_I = 0x08;

/**
 * VXLAN (RFC 7348) on its IANA port: flags, 24-bit VNI, then an inner Ethernet frame. Without the I
 * flag (the VNI is valid) the payload is not VXLAN after all, and is left alone.
 */
export const vxlan: Layer = {
  name: 'vxlan',
  udpPorts: [4789],
  dissect(w, p, next) {
    if (w.length < 8) {
      p.markMalformed('vxlan: truncated');
      return;
    }
    if ((w.u8(0) & FLAG_I) === 0) return;
    p.addProto('vxlan');
    p.tunnels++;
    next.set(NEXT_LINKTYPE, LINKTYPE_ETHERNET, 8);
  },
};

import type { Layer } from '../layer';
import { LINKTYPE_ETHERNET } from '../linktypes';
import { dissectTypeOrLength } from './llc';
import { resetForInnerFrame } from './inner';

/**
 * Ethernet II and IEEE 802.3 (a length field, then LLC/SNAP). Also the inner frame of GRE, ERSPAN and
 * VXLAN, where it first clears what the outer layers recorded.
 */
export const ethernet: Layer = {
  name: 'ethernet',
  linkTypes: [LINKTYPE_ETHERNET],
  dissect(w, p, next) {
    if (w.length < 14) {
      p.markMalformed('ethernet: truncated');
      return;
    }
    if (p.tunnels > 0) resetForInnerFrame(p);
    p.addProto('ethernet');
    p.dstMac = w.u48(0);
    p.srcMac = w.u48(6);
    if (!dissectTypeOrLength(w, 14, w.u16(12), p, next)) p.markMalformed('ethernet: invalid type/length');
  },
};

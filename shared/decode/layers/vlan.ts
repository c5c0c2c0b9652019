import type { Layer } from '../layer';
import { dissectTypeOrLength } from './llc';

/** 802.1Q, 802.1ad (QinQ) and the pre-standard 0x9100 tag. Only the first four ids are kept. */
export const vlan: Layer = {
  name: 'vlan',
  etherTypes: [0x8100, 0x88a8, 0x9100],
  dissect(w, p, next) {
    if (w.length < 4) {
      p.markMalformed('vlan: truncated');
      return;
    }
    p.addProto('vlan');
    if (p.vlanCount < 4) p.vlans[p.vlanCount++] = w.u16(0) & 0x0fff;
    // The inner type/length may be an 802.3 length (PVST+ BPDUs ride SNAP inside a tag).
    if (!dissectTypeOrLength(w, 4, w.u16(2), p, next)) p.markMalformed('vlan: invalid type/length');
  },
};

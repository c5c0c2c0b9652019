import { type Layer, NEXT_ETHERTYPE } from '../layer';
import {
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_RAW,
  LINKTYPE_RAW_OLD,
  LINKTYPE_RAW_OLD2,
} from '../linktypes';

/** Raw IP link types: the frame starts with an IP header, whose version nibble says which. */
export const raw: Layer = {
  name: 'raw',
  linkTypes: [LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_RAW_OLD, LINKTYPE_RAW_OLD2],
  dissect(w, p, next) {
    if (w.length < 1) {
      p.markMalformed('raw: truncated');
      return;
    }
    p.addProto('raw');
    const version = w.u8(0) >>> 4;
    const lt = p.linkType;
    if (version === 4 && lt !== LINKTYPE_IPV6) next.set(NEXT_ETHERTYPE, 0x0800, 0);
    else if (version === 6 && lt !== LINKTYPE_IPV4) next.set(NEXT_ETHERTYPE, 0x86dd, 0);
    else p.markMalformed('raw: IP version does not match link type');
  },
};

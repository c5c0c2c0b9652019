import type { Layer } from '../layer';
import { LINKTYPE_LINUX_SLL2 } from '../linktypes';
import { ARPHRD_ETHER, dissectCookedProtocol } from './cooked';

/**
 * Linux cooked capture v2 (20 bytes): protocol, reserved, interface index, ARPHRD type, packet type,
 * address length, 8 address bytes (the sender's).
 */
export const sll2: Layer = {
  name: 'sll2',
  linkTypes: [LINKTYPE_LINUX_SLL2],
  dissect(w, p, next) {
    if (w.length < 20) {
      p.markMalformed('sll2: truncated');
      return;
    }
    p.addProto('sll2');
    if (w.u16(8) === ARPHRD_ETHER && w.u8(11) === 6) p.srcMac = w.u48(12);
    dissectCookedProtocol(w, 20, w.u16(0), p, next);
  },
};

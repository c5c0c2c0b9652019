import type { Layer } from '../layer';
import { LINKTYPE_LINUX_SLL } from '../linktypes';
import { ARPHRD_ETHER, dissectCookedProtocol } from './cooked';

/**
 * Linux cooked capture v1 (16 bytes): packet type, ARPHRD type, address length, 8 address bytes,
 * protocol. The address is the sender's; there is no destination address.
 */
export const sll: Layer = {
  name: 'sll',
  linkTypes: [LINKTYPE_LINUX_SLL],
  dissect(w, p, next) {
    if (w.length < 16) {
      p.markMalformed('sll: truncated');
      return;
    }
    p.addProto('sll');
    if (w.u16(2) === ARPHRD_ETHER && w.u16(4) === 6) p.srcMac = w.u48(6);
    dissectCookedProtocol(w, 16, w.u16(14), p, next);
  },
};

import type { ByteWindow } from '../window';
import type { Packet } from '../packet';
import { type NextLayer, NEXT_ETHERTYPE } from '../layer';
import { dissectLlc } from './llc';

/** Linux ARPHRD_ETHER: the link-layer address is a MAC. */
export const ARPHRD_ETHER = 1;
/** Linux cooked protocol values below 0x600 that are not EtherTypes (if_ether.h ETH_P_802_3, ETH_P_802_2). */
const SLL_P_802_3 = 0x0001;
const SLL_P_802_2 = 0x0004;

/**
 * The protocol field shared by Linux cooked captures v1 and v2, with the payload at `o`: an EtherType,
 * 802.2 LLC, or Novell raw 802.3 (not decoded). Other small values (CAN, netlink families, ...) end here.
 */
export function dissectCookedProtocol(
  w: ByteWindow,
  o: number,
  proto: number,
  p: Packet,
  next: NextLayer,
): void {
  if (proto >= 0x600) {
    p.etherType = proto;
    next.set(NEXT_ETHERTYPE, proto, o);
  } else if (proto === SLL_P_802_2) {
    dissectLlc(w, o, w.length - o, p, next);
  } else if (proto === SLL_P_802_3) {
    // Novell raw 802.3: IPX, not decoded.
  }
}

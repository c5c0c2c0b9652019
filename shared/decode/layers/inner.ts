import type { Packet } from '../packet';
import { type NextLayer, NEXT_ETHERTYPE } from '../layer';

/** Before a tunnel's inner frame is decoded: see Packet.resetLayers. */
export function resetForInnerFrame(p: Packet): void {
  p.resetLayers();
}

/**
 * An IP packet carried in UDP (Teredo, AYIYA, GTP-U): the version nibble at `o` says IPv4 or IPv6;
 * anything else is not decapsulated (false). The outer UDP ports belong to the tunnel, so they are
 * cleared: an inner ICMPv6 or a Teredo bubble must not inherit them. The outer MACs stay, as for IP
 * in GRE: the inner addresses are reached through the tunnel endpoint's link. The outermost IPv4
 * source is kept (tunnelSrc4): it is the sending endpoint's own address on this link.
 */
export function innerIp(p: Packet, next: NextLayer, version: number, o: number, length = -1): boolean {
  if (version !== 4 && version !== 6) return false;
  if (p.tunnels === 0 && p.ipVersion === 4) p.tunnelSrc4 = p.src4;
  p.srcPort = p.dstPort = -1;
  p.tunnels++;
  next.set(NEXT_ETHERTYPE, version === 4 ? 0x0800 : 0x86dd, o, length);
  return true;
}

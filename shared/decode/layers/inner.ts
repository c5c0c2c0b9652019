import type { Packet } from '../packet';

/**
 * Forget what the outer layers of a tunnel recorded above layer 2, before its inner frame is decoded:
 * the Packet then describes the inner frame alone (an inner ARP must not pair the inner MAC with the
 * outer IP). Tunnel count, protocol list and malformed reason are kept.
 */
export function resetForInnerFrame(p: Packet): void {
  p.srcMac = p.dstMac = p.etherType = -1;
  p.vlanCount = 0;
  p.arpOp = p.arpSha = p.arpSpa = p.arpTha = p.arpTpa = -1;
  p.ipVersion = 0;
  p.src4 = p.dst4 = 0;
  p.src6 = p.dst6 = '';
  p.ttl = p.ipId = -1;
  p.dontFragment = p.moreFragments = false;
  p.fragOffset = p.ecn = 0;
  p.ipProto = -1;
  p.ipHeaderLen = p.ipOptionBytes = 0;
  p.srcPort = p.dstPort = -1;
  p.tcpFlags = p.tcpSeq = p.tcpAck = 0;
  p.tcpWindow = p.tcpMss = p.tcpWscale = -1;
  p.tcpSackPermitted = p.tcpTimestamp = false;
  p.tcpOptionLayout = '';
  p.icmpType = p.icmpCode = -1;
  p.ndTarget = '';
  p.ndLinkAddr = p.raLifetime = -1;
}

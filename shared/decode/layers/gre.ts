import { type Layer, NEXT_ETHERTYPE, NEXT_LINKTYPE } from '../layer';
import { LINKTYPE_ETHERNET } from '../linktypes';

const GRE_C = 0x8000;
const GRE_R = 0x4000;
const GRE_K = 0x2000;
const GRE_S = 0x1000;
const TRANSPARENT_ETHERNET = 0x6558;
const ERSPAN_II = 0x88be;

/**
 * GRE version 0 (RFC 2784, keys and sequence numbers from RFC 2890): the protocol type is an
 * EtherType. Version 1 (PPTP's enhanced GRE, carrying PPP) and source routing (RFC 1701) are not
 * decoded. GRE-in-UDP (RFC 8086, UDP 4754) is the same header as the UDP payload. ERSPAN without the sequence bit is type I, which has no ERSPAN header: only GRE can tell,
 * so it is handled here (the ERSPAN layer, reached by EtherType, assumes a header is present).
 */
export const gre: Layer = {
  name: 'gre',
  ipProtocols: [47],
  udpPorts: [4754],
  dissect(w, p, next) {
    if (w.length < 4) {
      p.markMalformed('gre: truncated');
      return;
    }
    p.addProto('gre');
    const flags = w.u16(0);
    const proto = w.u16(2);
    if ((flags & 0x0007) !== 0 || (flags & GRE_R) !== 0) return;
    let hl = 4;
    if ((flags & GRE_C) !== 0) hl += 4; // checksum + reserved
    if ((flags & GRE_K) !== 0) hl += 4;
    if ((flags & GRE_S) !== 0) hl += 4;
    if (hl > w.length) {
      p.markMalformed('gre: truncated');
      return;
    }
    p.tunnels++;
    // Reached over UDP (RFC 8086), the ports are the tunnel's, not the inner packet's.
    p.srcPort = p.dstPort = -1;
    if (proto === TRANSPARENT_ETHERNET) {
      next.set(NEXT_LINKTYPE, LINKTYPE_ETHERNET, hl);
    } else if (proto === ERSPAN_II && (flags & GRE_S) === 0) {
      p.addProto('erspan');
      next.set(NEXT_LINKTYPE, LINKTYPE_ETHERNET, hl);
    } else {
      next.set(NEXT_ETHERTYPE, proto, hl);
    }
  },
};

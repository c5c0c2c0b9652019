import { type Layer, NEXT_ETHERTYPE, NEXT_IPPROTO } from '../layer';

/**
 * IPv4 (RFC 791). The payload is bounded by the total length, so Ethernet padding never becomes
 * payload; a total length beyond the captured bytes marks the frame truncated and the rest decodes on.
 * Later fragments are counted, not decoded.
 */
export const ipv4: Layer = {
  name: 'ipv4',
  etherTypes: [0x0800],
  dissect(w, p, next) {
    if (w.length < 20) {
      p.markMalformed('ipv4: truncated');
      return;
    }
    const b0 = w.u8(0);
    if (b0 >>> 4 !== 4) {
      p.markMalformed('ipv4: version is not 4');
      // An IPv6 header behind the IPv4 EtherType is still an IPv6 packet (Wireshark decodes it so too).
      if (b0 >>> 4 === 6) next.set(NEXT_ETHERTYPE, 0x86dd, 0);
      return;
    }
    p.addProto('ipv4');
    const hl = (b0 & 0x0f) * 4;
    const total = w.u16(2);
    const flags = w.u16(6);
    p.ipVersion = 4;
    p.src6 = p.dst6 = '';
    p.ecn = w.u8(1) & 0x03;
    p.ipId = w.u16(4);
    p.dontFragment = (flags & 0x4000) !== 0;
    p.moreFragments = (flags & 0x2000) !== 0;
    p.fragOffset = (flags & 0x1fff) * 8;
    p.ttl = w.u8(8);
    p.ipProto = w.u8(9);
    p.src4 = w.u32(12);
    p.dst4 = w.u32(16);
    p.ipHeaderLen = hl;
    // No branch whose first run, on a rare packet, throws the optimised code away.
    p.ipOptionBytes = Math.max(hl - 20, 0);
    if (hl < 20) {
      p.markMalformed('ipv4: header length < 20');
      return;
    }
    if (total < hl) {
      p.markMalformed('ipv4: total length < header length');
      return;
    }
    let end = total;
    if (end > w.length) {
      p.markMalformed('ipv4: truncated');
      end = w.length;
    }
    if (hl > end) {
      p.markMalformed('ipv4: header past end');
      return;
    }
    if (p.fragOffset > 0) {
      p.laterFragment = true;
      return;
    }
    next.set(NEXT_IPPROTO, p.ipProto, hl, end - hl);
  },
};

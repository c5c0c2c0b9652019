import type { Layer } from '../layer';
import { innerIp } from './inner';

const OPCODE_FORWARD = 1;
const IPPROTO_IPV4 = 4;
const IPPROTO_IPV6 = 41;

/**
 * AYIYA, "Anything In Anything" (SixXS tunnels, UDP 5072): identity length 2^n (high nibble of byte
 * 0), signature length n*4 (high nibble of byte 1), opcode (low nibble of byte 2), next header,
 * 4-byte epoch time, identity, signature, then the payload. Only forwarded IPv4/IPv6 packets are
 * decapsulated; heartbeats and queries carry no packet.
 */
export const ayiya: Layer = {
  name: 'ayiya',
  udpPorts: [5072],
  dissect(w, p, next) {
    if (w.length < 8) {
      p.markMalformed('ayiya: truncated');
      return;
    }
    p.addProto('ayiya');
    const hl = 8 + (1 << (w.u8(0) >>> 4)) + (w.u8(1) >>> 4) * 4;
    if ((w.u8(2) & 0x0f) !== OPCODE_FORWARD) return;
    const nh = w.u8(3);
    if (nh !== IPPROTO_IPV4 && nh !== IPPROTO_IPV6) return;
    if (hl >= w.length) {
      p.markMalformed('ayiya: truncated');
      return;
    }
    innerIp(p, next, nh === IPPROTO_IPV4 ? 4 : 6, hl);
  },
};

import type { Layer } from '../layer';
import { innerIp } from './inner';

const G_PDU = 255;
/** E, S and PN flags: any of them adds the 4-byte sequence / N-PDU / next-extension field. */
const OPTIONAL = 0x07;
const FLAG_E = 0x04;
/** Real G-PDUs carry one or two extension headers (PDU session container); more is hostile. */
const MAX_EXTENSIONS = 8;

/**
 * GTP-U (3GPP TS 29.281, UDP 2152): version 1 with the protocol-type bit, message type, length of
 * what follows the first 8 bytes, TEID; the optional field when E, S or PN is set; extension headers
 * (length in 4-byte units, the last byte naming the next type) when E is set. Only G-PDUs (type 255)
 * carry user packets; their payload is IPv4 or IPv6 by its version nibble (Ethernet and unstructured
 * PDU sessions are left alone).
 */
export const gtpu: Layer = {
  name: 'gtpu',
  udpPorts: [2152],
  dissect(w, p, next) {
    if (w.length < 8) {
      p.markMalformed('gtpu: truncated');
      return;
    }
    const flags = w.u8(0);
    if (flags >>> 5 !== 1 || (flags & 0x10) === 0) return;
    p.addProto('gtpu');
    if (w.u8(1) !== G_PDU) return;
    let end = 8 + w.u16(2);
    if (end > w.length) {
      p.markMalformed('gtpu: truncated');
      end = w.length;
    }
    let o = 8;
    if ((flags & OPTIONAL) !== 0) {
      if (end < 12) {
        p.markMalformed('gtpu: truncated');
        return;
      }
      let type = (flags & FLAG_E) !== 0 ? w.u8(11) : 0;
      o = 12;
      for (let i = 0; type !== 0; i++) {
        const len = w.has(o, 1) ? w.u8(o) * 4 : 0;
        if (i === MAX_EXTENSIONS) {
          p.markMalformed('gtpu: too many extension headers');
          return;
        }
        if (len === 0 || o + len > end) {
          p.markMalformed(len === 0 ? 'gtpu: extension header length 0' : 'gtpu: truncated');
          return;
        }
        type = w.u8(o + len - 1);
        o += len;
      }
    }
    if (o >= end) return;
    innerIp(p, next, w.u8(o) >>> 4, o, end - o);
  },
};

import { type Layer, NEXT_ETHERTYPE, NEXT_LINKTYPE } from '../layer';
import { LINKTYPE_ETHERNET } from '../linktypes';

const VERSION_II = 1;
const VERSION_III = 2;
const FRAME_ETHERNET = 0;
const FRAME_IP = 2;

/**
 * ERSPAN types II and III (Cisco; draft-foschiano-erspan), reached through GRE's protocol type.
 * The header's version field says which: type II is 8 bytes; type III is 12 bytes plus an 8-byte
 * platform subheader when the O bit is set, and may carry IP instead of Ethernet (frame type 2).
 * Limitation: type I has no header at all and is recognised only by GRE (sequence bit clear), which
 * sends it straight to Ethernet; this layer cannot tell type I from II on its own.
 * Counted as part of its GRE tunnel (p.tunnels is not incremented again).
 */
export const erspan: Layer = {
  name: 'erspan',
  etherTypes: [0x88be, 0x22eb],
  dissect(w, p, next) {
    if (w.length < 8) {
      p.markMalformed('erspan: truncated');
      return;
    }
    p.addProto('erspan');
    const version = w.u8(0) >>> 4;
    if (version === VERSION_II) {
      next.set(NEXT_LINKTYPE, LINKTYPE_ETHERNET, 8);
      return;
    }
    if (version !== VERSION_III) {
      p.markMalformed('erspan: unknown version');
      return;
    }
    if (w.length < 12) {
      p.markMalformed('erspan: truncated');
      return;
    }
    const hl = (w.u8(11) & 0x01) !== 0 ? 20 : 12;
    if (hl > w.length) {
      p.markMalformed('erspan: truncated');
      return;
    }
    const frameType = (w.u8(10) >>> 2) & 0x1f;
    if (frameType === FRAME_ETHERNET) {
      next.set(NEXT_LINKTYPE, LINKTYPE_ETHERNET, hl);
    } else if (frameType === FRAME_IP) {
      const ipVersion = w.has(hl, 1) ? w.u8(hl) >>> 4 : 0;
      if (ipVersion === 4) next.set(NEXT_ETHERTYPE, 0x0800, hl);
      else if (ipVersion === 6) next.set(NEXT_ETHERTYPE, 0x86dd, hl);
    }
  },
};

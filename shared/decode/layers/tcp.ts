import type { ByteWindow } from '../window';
import type { Packet } from '../packet';
import { type Layer, NEXT_TCP } from '../layer';
import { TCP_SYN } from '../packet';

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WSCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_SACK = 5;
const OPT_TIMESTAMPS = 8;

/**
 * TCP (RFC 9293): ports, sequence numbers, flags, window and the options that OS fingerprints use.
 * The option layout string is built for SYN segments only (the one allocation beyond kept values).
 */
export const tcp: Layer = {
  name: 'tcp',
  ipProtocols: [6],
  dissect(w, p, next) {
    if (w.length < 20) {
      p.markMalformed('tcp: truncated');
      return;
    }
    p.addProto('tcp');
    const src = w.u16(0);
    const dst = w.u16(2);
    p.srcPort = src;
    p.dstPort = dst;
    p.tcpSeq = w.u32(4);
    p.tcpAck = w.u32(8);
    const hl = (w.u8(12) >>> 4) * 4;
    const flags = w.u8(13);
    p.tcpFlags = flags;
    p.tcpWindow = w.u16(14);
    if (hl < 20) {
      p.markMalformed('tcp: data offset < 5');
      return;
    }
    if (hl > w.length) {
      p.markMalformed('tcp: data offset past end');
      return;
    }
    if (hl > 20) options(w, hl, p, (flags & TCP_SYN) !== 0);
    next.set(NEXT_TCP, dst, hl, -1, src);
  },
};

/** Walk the options in [20, end): at most 40 bytes, and each step advances, so the loop is bounded. */
function options(w: ByteWindow, end: number, p: Packet, syn: boolean): void {
  let layout = '';
  let o = 20;
  while (o < end) {
    const kind = w.u8(o);
    if (kind === OPT_EOL) {
      if (syn) layout += layout === '' ? 'E' : ',E';
      break;
    }
    if (kind === OPT_NOP) {
      if (syn) layout += layout === '' ? 'N' : ',N';
      o++;
      continue;
    }
    if (o + 2 > end) {
      p.markMalformed('tcp: truncated option');
      break;
    }
    const len = w.u8(o + 1);
    if (len < 2) {
      p.markMalformed('tcp: option length < 2');
      break;
    }
    if (o + len > end) {
      p.markMalformed('tcp: option past header end');
      break;
    }
    let tag: string;
    let want = -1;
    switch (kind) {
      case OPT_MSS:
        tag = 'M';
        want = 4;
        if (len === 4) p.tcpMss = w.u16(o + 2);
        break;
      case OPT_WSCALE:
        tag = 'W';
        want = 3;
        if (len === 3) p.tcpWscale = w.u8(o + 2);
        break;
      case OPT_SACK_PERMITTED:
        tag = 'S';
        want = 2;
        if (len === 2) p.tcpSackPermitted = true;
        break;
      case OPT_SACK:
        tag = 'K';
        break;
      case OPT_TIMESTAMPS:
        tag = 'T';
        want = 10;
        if (len === 10) p.tcpTimestamp = true;
        break;
      default:
        tag = '';
    }
    if (want !== -1 && len !== want) p.markMalformed('tcp: bad option length');
    if (syn) {
      if (layout !== '') layout += ',';
      layout += tag === '' ? '?' + kind : tag;
    }
    o += len;
  }
  if (syn) p.tcpOptionLayout = layout;
}

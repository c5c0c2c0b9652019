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
 * The option layout string is given to SYN segments only, made once per layout (layoutText).
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
  // The kinds in order, for a SYN's layout: at most 40 (each option takes a byte or more).
  const kinds = KINDS;
  let n = 0;
  let o = 20;
  while (o < end) {
    const kind = w.u8(o);
    if (kind === OPT_EOL) {
      kinds[n++] = kind;
      break;
    }
    if (kind === OPT_NOP) {
      kinds[n++] = kind;
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
    let want = -1;
    switch (kind) {
      case OPT_MSS:
        want = 4;
        if (len === 4) p.tcpMss = w.u16(o + 2);
        break;
      case OPT_WSCALE:
        want = 3;
        if (len === 3) p.tcpWscale = w.u8(o + 2);
        break;
      case OPT_SACK_PERMITTED:
        want = 2;
        if (len === 2) p.tcpSackPermitted = true;
        break;
      case OPT_TIMESTAMPS:
        want = 10;
        if (len === 10) p.tcpTimestamp = true;
        break;
    }
    if (want !== -1 && len !== want) p.markMalformed('tcp: bad option length');
    kinds[n++] = kind;
    o += len;
  }
  if (syn) p.tcpOptionLayout = layoutText(kinds, n);
}

const KINDS = new Uint8Array(40);

/**
 * The layouts of the last few dozen SYNs, by their kinds: a host's SYNs share one layout, whose
 * text (made by appending, a string per option) is then made once, not per SYN. Direct-mapped, the
 * kinds compared in full, so bounded by construction.
 */
const LAYOUT_SLOTS = 64;
const layoutKinds: Uint8Array[] = Array.from({ length: LAYOUT_SLOTS }, () => new Uint8Array(0));
const layoutTexts: string[] = new Array<string>(LAYOUT_SLOTS).fill('');

function layoutText(kinds: Uint8Array, n: number): string {
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ kinds[i]!, 0x01000193);
  const slot = (h ^ (h >>> 16)) & (LAYOUT_SLOTS - 1);
  const k = layoutKinds[slot]!;
  if (k.length === n) {
    let i = 0;
    while (i < n && k[i] === kinds[i]) i++;
    if (i === n) return layoutTexts[slot]!;
  }
  let s = '';
  for (let i = 0; i < n; i++) {
    if (i > 0) s += ',';
    s += kindTag(kinds[i]!);
  }
  layoutKinds[slot] = kinds.slice(0, n);
  layoutTexts[slot] = s;
  return s;
}

/** S=SACK permitted, K=SACK, T=timestamps, E=EOL, ?<kind>=other (Packet.tcpOptionLayout). */
function kindTag(kind: number): string {
  switch (kind) {
    case OPT_EOL:
      return 'E';
    case OPT_NOP:
      return 'N';
    case OPT_MSS:
      return 'M';
    case OPT_WSCALE:
      return 'W';
    case OPT_SACK_PERMITTED:
      return 'S';
    case OPT_SACK:
      return 'K';
    case OPT_TIMESTAMPS:
      return 'T';
    default:
      return '?' + kind;
  }
}

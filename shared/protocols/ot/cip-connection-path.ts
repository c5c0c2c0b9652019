import type { ByteWindow } from '../../decode/window';
import { signature } from '../common/polling';

/**
 * What a Forward_Open (0x54) or Large_Forward_Open (0x5b) says about its target (CIP Networks Library
 * Vol. 1 3-5.4.2 and C-1.4; Wireshark's dissect_cip_cm_fwd_open_req and dissect_cip_segment_single):
 * the transport class, the electronic key the scanner was configured with, and what the connection
 * points name. Hostile bytes: every read stays within the path's stated size and the message's end,
 * and the walk stops at MAX_SEGMENTS or at the first segment it cannot size.
 */
export interface ConnectionTarget {
  /** The transport type/trigger byte's low nibble: 0 and 1 cyclic I/O, 2 and 3 explicit messaging. */
  transportClass: number;
  /** The electronic key (format 4) as configured; a zero field is a wildcard. Null without a key. */
  key: ElectronicKey | null;
  /**
   * What the connection points address: 'assembly' (class 0x04: I/O adapters' and drives' cyclic
   * data), 'tag' (an ANSI extended symbol: a controller's produced tag), 'class 0x..' (another
   * object), or null when the path names none.
   */
  points: string | null;
  /**
   * The path routes past the receiver: a port segment to a port other than 1 (the backplane, by CIP
   * convention) or with an extended (network) link address. The target is then another device, not
   * the one the Forward_Open was sent to; backplane hops stay within the receiver's own chassis.
   */
  routed: boolean;
  /** A hash of the connection path's bytes: one target of one flow is stated once. */
  signature: number;
}

export interface ElectronicKey {
  vendor: number;
  deviceType: number;
  productCode: number;
  /** Major revision without the compatibility bit (bit 7 of its byte). */
  major: number;
  minor: number;
  compatible: boolean;
}

/** Segments walked in one path: a port hop or two, a key, class, instance and two points are 7. */
const MAX_SEGMENTS = 24;
const CLASS_ASSEMBLY = 0x04;
const SEG_KEY = 0x34;
/** A port segment to port 1 with a one-byte link address (a slot): bit 4 clear, port id 1. */
const PORT_BACKPLANE = 0x01;
const KEY_FORMAT_4 = 4;
const SEG_ANSI_SYMBOL = 0x91;
const SEG_SIMPLE_DATA = 0x80;

/**
 * The target of the Forward_Open whose service data starts at `d` (after the request path) and ends
 * at `end`. Null when the fixed part or the path's stated size does not fit.
 */
export function connectionTarget(
  w: ByteWindow,
  d: number,
  end: number,
  large: boolean,
): ConnectionTarget | null {
  // Priority/tick, timeout, O->T id, T->O id, serial, vendor, originator serial, multiplier, 3 reserved,
  // O->T RPI, O->T parameters (2, or 4 when large), T->O RPI, T->O parameters, then transport and path.
  const t = d + (large ? 38 : 34);
  if (t + 2 > end) return null;
  const transportClass = w.u8(t) & 0x0f;
  const start = t + 2;
  const pEnd = start + w.u8(t + 1) * 2;
  if (pEnd > end) return null;
  let key: ElectronicKey | null = null;
  let cls = -1;
  let points: string | null = null;
  let routed = false;
  let i = start;
  for (let n = 0; n < MAX_SEGMENTS && i < pEnd; n++) {
    const seg = w.u8(i);
    const size = segmentSize(w, i, seg);
    if (size <= 0 || i + size > pEnd) break;
    if ((seg & 0xe0) === 0x00) {
      routed ||= (seg & 0x1f) !== PORT_BACKPLANE;
    } else if (seg === SEG_KEY && w.u8(i + 1) === KEY_FORMAT_4) {
      const major = w.u8(i + 8);
      key = {
        vendor: w.u16le(i + 2),
        deviceType: w.u16le(i + 4),
        productCode: w.u16le(i + 6),
        major: major & 0x7f,
        minor: w.u8(i + 9),
        compatible: (major & 0x80) !== 0,
      };
    } else if (seg >= 0x20 && seg <= 0x22) {
      cls = logicalValue(w, i, seg);
    } else if (seg >= 0x2c && seg <= 0x2e) {
      // The first connection point decides: a path addresses one object's points.
      points ??= cls === CLASS_ASSEMBLY ? 'assembly' : cls < 0 ? null : 'class 0x' + cls.toString(16);
    } else if (seg === SEG_ANSI_SYMBOL) {
      points ??= 'tag';
    }
    i += size;
  }
  return { transportClass, key, points, routed, signature: signature(w, t, pEnd - t) };
}

/**
 * Whether the route path from `i` to `pEnd` (an Unconnected_Send's) leaves the receiver: a port
 * segment past the backplane, or a path that cannot be read to its end (then nobody can say).
 */
export function routesOn(w: ByteWindow, i: number, pEnd: number): boolean {
  for (let n = 0; n < MAX_SEGMENTS && i < pEnd; n++) {
    const seg = w.u8(i);
    const size = segmentSize(w, i, seg);
    if (size <= 0 || i + size > pEnd) return true;
    if ((seg & 0xe0) === 0x00 && (seg & 0x1f) !== PORT_BACKPLANE) return true;
    i += size;
  }
  return i < pEnd;
}

/**
 * Bytes of the segment at `i` (padded to a word), or 0 for one that cannot be sized (reserved
 * formats, symbolic segments we do not read).
 */
function segmentSize(w: ByteWindow, i: number, seg: number): number {
  const kind = seg & 0xe0;
  if (kind === 0x00) {
    // Port segment: bit 4 says a link address size byte follows; port 15 adds a 16-bit port number.
    const ext = (seg & 0x0f) === 0x0f ? 2 : 0;
    if ((seg & 0x10) === 0) return 2 + ext;
    const n = 2 + ext + w.u8(i + 1);
    return n + (n & 1);
  }
  if (kind === 0x20) {
    if (seg === SEG_KEY) return w.u8(i + 1) === KEY_FORMAT_4 ? 10 : 0;
    // Logical segment formats: 8-bit, 16-bit and 32-bit values, the wider two after a pad byte.
    switch (seg & 0x03) {
      case 0:
        return 2;
      case 1:
        return 4;
      case 2:
        return 6;
      default:
        return 0;
    }
  }
  if (kind === 0x40) {
    // Network segments: bit 4 says a length in words follows; the others carry one byte.
    return (seg & 0x10) === 0 ? 2 : 2 + w.u8(i + 1) * 2;
  }
  if (seg === SEG_SIMPLE_DATA) return 2 + w.u8(i + 1) * 2;
  if (seg === SEG_ANSI_SYMBOL) {
    const n = 2 + w.u8(i + 1);
    return n + (n & 1);
  }
  return 0;
}

/** A logical segment's value: 8-bit after the type byte, 16 and 32-bit after a pad byte. */
function logicalValue(w: ByteWindow, i: number, seg: number): number {
  const f = seg & 0x03;
  return f === 0 ? w.u8(i + 1) : f === 1 ? w.u16le(i + 2) : w.u32le(i + 2);
}

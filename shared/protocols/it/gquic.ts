import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext } from '../contract';
import { dstRef, srcRef } from '../common/refs';
import { productVersion } from './text';
import { wireText } from '../common/text';
import { Emitter } from '../common/emit';
import type { GQUIC_VOCABULARY } from './quic';

const em = new Emitter<typeof GQUIC_VOCABULARY>('gquic');

/**
 * Google QUIC (gQUIC, versions Q0xx): up to Q046 the client's CHLO handshake message travels in
 * clear on stream 1 of the first packets, a tag/value map whose SNI and UAID (the browser's user
 * agent) we report. Q050 and later encrypt it: nothing read.
 * Headers: up to Q043 the legacy public header (flags, 8-byte connection id, version); from Q046 an
 * IETF-style long header. The CHLO follows the 12-byte message hash and a STREAM frame header, so it
 * is looked for in a short, fixed span after the version rather than by parsing every frame layout.
 */

/** Bytes after the header in which the CHLO tag must start. */
const CHLO_SPAN = 64;
/** Tags read per CHLO (Chrome sends about 25). */
const MAX_TAGS = 64;

const TAG_CHLO = 0x43484c4f;
const TAG_SNI = 0x534e4900;
const TAG_UAID = 0x55414944;

/** The gQUIC version number at `o` ('Q' '0' digit digit: 43 for Q043), or -1. */
export function gquicVersionAt(w: ByteWindow, o: number): number {
  if (!w.has(o, 4) || w.u8(o) !== 0x51 || w.u8(o + 1) !== 0x30) return -1;
  const a = w.u8(o + 2) - 0x30;
  const b = w.u8(o + 3) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Where the packet's payload starts when it is a gQUIC packet carrying its version, else -1. */
export function gquicPayloadAt(w: ByteWindow): number {
  if (!w.has(0, 13)) return -1;
  const b0 = w.u8(0);
  if ((b0 & 0x80) !== 0) return gquicVersionAt(w, 1) >= 0 ? 6 : -1;
  // Legacy public header: version flag, an 8-byte connection id (flag 0x08, or 0x0c before Q034).
  if ((b0 & 0x01) === 0 || (b0 & 0x08) === 0) return -1;
  return gquicVersionAt(w, 9) >= 0 ? 13 : -1;
}

/** Read a CHLO found after `from`; emit SNI and UAID. True when one was found. */
export function readChlo(w: ByteWindow, from: number, p: Packet, ctx: AppContext): boolean {
  let c = -1;
  for (let i = from; i < from + CHLO_SPAN && w.has(i, 8); i++)
    if (w.u32(i) === TAG_CHLO) {
      c = i;
      break;
    }
  if (c < 0) return false;
  // Little-endian: tag count, two bytes of padding, then (tag, end offset) pairs, then the values.
  const n = w.u16le(c + 4);
  if (n === 0 || n > MAX_TAGS || !w.has(c + 8, n * 8)) return false;
  const values = c + 8 + n * 8;
  let start = 0;
  const me = srcRef(p);
  for (let i = 0; i < n; i++) {
    const tag = w.u32(c + 8 + i * 8);
    const end = w.u32le(c + 12 + i * 8);
    // End offsets only grow; a value past the datagram (a CHLO spanning packets) is not read.
    if (end < start || !w.has(values + start, end - start)) break;
    if (tag === TAG_SNI) {
      const name = wireText(w, values + start, end - start, 255);
      if (name !== '') {
        em.nameQuery(ctx, p, { device: me, field: 'SNI', name });
        const server = dstRef(p);
        if (server.ip !== null) em.address(ctx, p, { device: server, field: 'SNI', ip: server.ip, name });
      }
    } else if (tag === TAG_UAID) {
      const ua = wireText(w, values + start, end - start, 512);
      // "beta Chrome/83.0.4103.34 Intel Mac OS X 10_13_6": the product is the first token with a version.
      const token = ua.split(' ').find((x) => x.includes('/')) ?? ua;
      if (ua !== '') em.software(ctx, p, { device: me, field: 'UAID', ...productVersion(token), raw: ua });
    }
    start = end;
  }
  return true;
}

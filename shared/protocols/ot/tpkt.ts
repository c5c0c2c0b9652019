import type { ByteWindow } from '../../decode/window';
import { hexBytes } from '../common/hex';

/**
 * TPKT (RFC 1006) + COTP (ISO 8073) framing shared by S7comm and MMS on tcp/102: a parsed header
 * says where the COTP user data starts. Only what both need: the COTP PDU type and the data offset.
 */
export const COTP_CR = 0xe0;
export const COTP_CC = 0xd0;
export const COTP_DT = 0xf0;

export interface Tpkt {
  /** TPKT length (the whole TPKT, header included), clamped to nothing: the caller bounds it. */
  length: number;
  cotpType: number;
  /** Offset (relative to the TPKT start) of the COTP user data. */
  data: number;
}

/** Parse TPKT + COTP at `off`, or null when the bytes are not that framing. */
export function parseTpkt(w: ByteWindow, off: number, out: Tpkt): Tpkt | null {
  if (!w.has(off, 7)) return null;
  if (w.u8(off) !== 3 || w.u8(off + 1) !== 0) return null;
  const length = w.u16(off + 2);
  const li = w.u8(off + 4);
  // COTP header length indicator excludes itself; DT headers are 2 bytes, CR/CC at least 6.
  if (length < 7 || li < 2 || 5 + li > length) return null;
  const type = w.u8(off + 5) & 0xf0;
  if (
    type !== COTP_DT &&
    type !== COTP_CR &&
    type !== COTP_CC &&
    type !== 0x80 &&
    type !== 0xc0 &&
    type !== 0x70
  ) {
    return null;
  }
  if (type === COTP_DT && li !== 2) return null;
  out.length = length;
  out.cotpType = type;
  out.data = 5 + li;
  return out;
}

/** Total length of the TPKT at `o` (4 bytes present), or -1 when the bytes there are not a TPKT header. */
export function tpktLength(w: ByteWindow, o: number): number {
  if (w.u8(o) !== 3 || w.u8(o + 1) !== 0) return -1;
  const len = w.u16(o + 2);
  return len < 7 ? -1 : len;
}

/**
 * The COTP PDU type of a TPKT of total length `len` at `o` (6 bytes present), or -1 when the COTP
 * header is not valid (the same rules as parseTpkt).
 */
export function cotpType(w: ByteWindow, o: number, len: number): number {
  const li = w.u8(o + 4);
  if (li < 2 || 5 + li > len) return -1;
  const type = w.u8(o + 5) & 0xf0;
  if (type === COTP_DT) return li === 2 ? type : -1;
  return type === COTP_CR || type === COTP_CC || type === 0x80 || type === 0xc0 || type === 0x70 ? type : -1;
}

/** COTP CR/CC parameters: the calling and called TSAPs (0xc1 / 0xc2), as hex text. */
export function cotpTsaps(w: ByteWindow, off: number, t: Tpkt): { calling: string; called: string } {
  let calling = '';
  let called = '';
  // Fixed part: type, dst-ref (2), src-ref (2), class (1) after the length indicator.
  let o = off + 5 + 6;
  const end = off + t.data;
  for (let n = 0; n < 16 && o + 2 <= end; n++) {
    const code = w.u8(o);
    const len = w.u8(o + 1);
    if (code === 0xc1 || code === 0xc2) {
      const h = hexBytes(w, o + 2, len, 16);
      if (code === 0xc1) calling = h;
      else called = h;
    }
    o += 2 + len;
  }
  return { calling, called };
}

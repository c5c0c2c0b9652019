import type { ByteWindow } from '../../decode/window';

/** A BER tag-length header: tag byte, content length and where the content starts (relative). */
export interface Tlv {
  tag: number;
  len: number;
  /** Offset of the content. */
  at: number;
}

/**
 * Read a BER TLV header at `o` (single-byte tags only: all IEC 61850 / MMS tags we read are).
 * Definite lengths of up to 4 bytes; null when the header or its content overruns `end`.
 */
export function readTlv(w: ByteWindow, o: number, end: number): Tlv | null {
  if (o + 2 > end) return null;
  const tag = w.u8(o);
  let len = w.u8(o + 1);
  let at = o + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || at + n > end) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + w.u8(at + i);
    at += n;
  }
  if (at + len > end) return null;
  return { tag, len, at };
}

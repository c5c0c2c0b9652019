import type { ByteWindow } from '../../decode/window';

/** A code as protocol documents write it: `0x` and at least `digits` hex digits (`hex(0x2f, 4)` is `0x002f`). */
export function hex(v: number, digits: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(digits, '0');
}

/** Hex digits alone, zero-padded to `digits` (fingerprint strings, NetBIOS suffixes). */
export function hexDigits(v: number, digits: number): string {
  return (v >>> 0).toString(16).padStart(digits, '0');
}

/**
 * Each bit set in a flags field `width` bits wide, as the code its standard gives it (`hexBits(0x14,
 * 16)` is `['0x0004', '0x0010']`): dissectors state these beside the names, so rules match the bit.
 */
export function hexBits(bits: number, width: 8 | 16 | 32): string[] {
  const out: string[] = [];
  for (let i = 0; i < width; i++) if ((bits >>> i) & 1) out.push(hex(2 ** i, width / 4));
  return out;
}

/** Bytes [o, o+n) of the window as lower-case hex, at most `max` bytes of them (serials, ids). */
export function hexBytes(w: ByteWindow, o: number, n: number, max = 64): string {
  let s = '';
  const m = n > max ? max : n;
  for (let i = 0; i < m; i++) s += hexDigits(w.u8(o + i), 2);
  return s;
}

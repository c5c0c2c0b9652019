import type { ByteWindow } from '../../decode/window';

/** A code as protocol documents write it: `0x` and at least `digits` hex digits (`hex(0x2f, 4)` is `0x002f`). */
export function hex(v: number, digits: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(digits, '0');
}

/** Hex digits alone, zero-padded to `digits` (fingerprint strings, NetBIOS suffixes). */
export function hexDigits(v: number, digits: number): string {
  return (v >>> 0).toString(16).padStart(digits, '0');
}

/** Bytes [o, o+n) of the window as lower-case hex, at most `max` bytes of them (serials, ids). */
export function hexBytes(w: ByteWindow, o: number, n: number, max = 64): string {
  let s = '';
  const m = n > max ? max : n;
  for (let i = 0; i < m; i++) s += hexDigits(w.u8(o + i), 2);
  return s;
}

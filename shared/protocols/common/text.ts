import type { ByteWindow } from '../../decode/window';
import { clip } from '../../model/observation';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
/** CONTROL, to test for one (NUL, line breaks and tabs are among them). */
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Wire text made fit to keep, the one cleaner every dissector uses: cut at the first NUL (C strings
 * padded with zeros), line breaks and tabs made one space (multi-line banners, CDP software
 * versions), other control characters dropped, surrounding blanks trimmed, length clipped.
 */
export function cleanText(s: string, max?: number): string {
  // Most wire text has no control character: one scan decides, where the cut and the two
  // replacements each took one (cleanText was 24 ms of the bench capture's dissectors).
  if (!ANY_CONTROL.test(s)) return clip(s.trim(), max);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  s = s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(CONTROL, '')
    .trim();
  return clip(s, max);
}

/** Bytes [o, o+n) of the window as cleaned text: UTF-8 when valid, else Latin-1. */
export function wireText(w: ByteWindow, o: number, n: number, max = 512): string {
  const u = w.utf8(o, n, max * 4);
  return cleanText(u.includes('\ufffd') ? w.ascii(o, n, max) : u, max);
}

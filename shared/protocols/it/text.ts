import type { ByteWindow } from '../../decode/window';
import { clip } from '../../model/observation';

// Text protocols' shared parsing: HTTP-style header blocks, prefixes, product/version tokens.

export interface HeaderBlock {
  /** First line (request or status line). */
  start: string;
  /** Header names lower-cased; a repeated header keeps its first value. */
  headers: Map<string, string>;
  /** Offset just past the blank line ending the headers, or -1 when it was not seen. */
  bodyStart: number;
}

const MAX_HEADERS = 64;
const MAX_LINE = 2048;

/** Bytes JavaScript's trim() removes, as Latin-1 decodes them: tab, LF, VT, FF, CR, space, NBSP. */
function blank(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0xa0;
}

/** Which of `names` (lower-case ASCII) the bytes [s, e) spell, ignoring ASCII case; -1 for none. */
function nameIndex(w: ByteWindow, s: number, e: number, names: readonly string[]): number {
  while (s < e && blank(w.u8(s))) s++;
  while (e > s && blank(w.u8(e - 1))) e--;
  for (let k = 0; k < names.length; k++) {
    const n = names[k]!;
    if (n.length === e - s && startsWithLower(w, n, s)) return k;
  }
  return -1;
}

/**
 * The lines of a header block, one at a time, as parseHeaderBlock and headerSpans both read them:
 * lines end in CRLF or LF (folding is obsolete and not read); a line longer than MAX_LINE is read as
 * its first MAX_LINE bytes; at most MAX_HEADERS lines after the first; reading stops at the blank
 * line, the end of the window or `limit` bytes. One cursor, reused: neither reader calls out while
 * it walks the lines.
 */
class HeaderLines {
  /** The line just read: [start, end), without its line ending. */
  start = 0;
  end = 0;
  /** Whether it is the first line (a start line, not a header). */
  first = true;
  /** A header line's first colon, when a name comes before it; else -1. */
  colon = -1;
  /** Its value, trimmed as trim() trims Latin-1 text, after trimValue(). */
  valueStart = 0;
  valueEnd = 0;
  /** Offset just past the blank line that ended the block, or -1 while it has not been read. */
  bodyStart = -1;
  private w: ByteWindow | null = null;
  private o = 0;
  private stop = 0;
  private headers = 0;
  private atStart = true;
  private done = true;

  reset(w: ByteWindow, limit: number): this {
    this.w = w;
    this.o = 0;
    this.stop = w.length < limit ? w.length : limit;
    this.headers = 0;
    this.atStart = true;
    this.done = false;
    this.bodyStart = -1;
    return this;
  }

  /** The next line; false at the blank line (bodyStart set), at the end, or past MAX_HEADERS. */
  next(): boolean {
    const w = this.w!;
    const o = this.o;
    if (this.done || o >= this.stop || this.headers > MAX_HEADERS) {
      this.done = true;
      return false;
    }
    let nl = w.indexOf(0x0a, o);
    if (nl < 0 || nl >= this.stop) nl = -1;
    let e = nl < 0 ? this.stop : nl;
    if (e > o && w.u8(e - 1) === 0x0d) e--;
    if (e === o && nl >= 0) {
      this.bodyStart = nl + 1;
      this.done = true;
      return false;
    }
    const le = e - o > MAX_LINE ? o + MAX_LINE : e;
    this.start = o;
    this.end = le;
    this.first = this.atStart;
    this.atStart = false;
    this.colon = -1;
    if (!this.first) {
      let c = o;
      while (c < le && w.u8(c) !== 0x3a) c++;
      if (c > o && c < le) this.colon = c;
      this.headers++;
    }
    if (nl < 0) this.done = true;
    else this.o = nl + 1;
    return true;
  }

  /** The value after the colon, trimmed as bytes (so that one string, not two, is made of it). */
  trimValue(): void {
    const w = this.w!;
    let vs = this.colon + 1;
    let ve = this.end;
    while (vs < ve && blank(w.u8(vs))) vs++;
    while (ve > vs && blank(w.u8(ve - 1))) ve--;
    this.valueStart = vs;
    this.valueEnd = ve;
  }
}

const lines = new HeaderLines();

/**
 * Parse an HTTP-style header block (HTTP/1.x, SSDP, SIP, RTSP) from `w`, reading at most `limit`
 * bytes (HeaderLines says how lines are read). Never throws. With `want` (lower-case names), only
 * those headers are kept and no text is made of the others: a browser's cookies and caching headers
 * cost no strings. Without `startLine` the first line is skipped and `start` is '' (HTTP and SSDP
 * never read it).
 */
export function parseHeaderBlock(
  w: ByteWindow,
  limit = 16384,
  want?: readonly string[],
  startLine = true,
): HeaderBlock {
  const headers = new Map<string, string>();
  let start = '';
  const l = lines.reset(w, limit);
  while (l.next()) {
    if (l.first) {
      if (startLine) start = w.ascii(l.start, l.end - l.start, MAX_LINE);
      continue;
    }
    if (l.colon < 0) continue;
    let name: string | undefined;
    if (want === undefined)
      name = w
        .ascii(l.start, l.colon - l.start, MAX_LINE)
        .trim()
        .toLowerCase();
    else {
      const k = nameIndex(w, l.start, l.colon, want);
      if (k >= 0) name = want[k];
    }
    if (name !== undefined && !headers.has(name)) {
      l.trimValue();
      headers.set(name, w.ascii(l.valueStart, l.valueEnd - l.valueStart, MAX_LINE));
    }
  }
  return { start, headers, bodyStart: l.bodyStart };
}

/**
 * Where the values of the wanted headers lie, for a reader that makes strings only of the values it
 * keeps (HTTP: a browser's Content-Type or Accept-Language is tested, never kept). The same lines as
 * parseHeaderBlock with `want` and without the start line; `spans` gets, for want[k], the value's
 * trimmed start and end at [2k] and [2k + 1] (the first occurrence), or -1 at both when the header
 * is absent. Returns the offset just past the blank line, or -1.
 */
export function headerSpans(
  w: ByteWindow,
  limit: number,
  want: readonly string[],
  spans: Int32Array,
): number {
  spans.fill(-1, 0, 2 * want.length);
  const l = lines.reset(w, limit);
  while (l.next()) {
    if (l.colon < 0) continue;
    const k = nameIndex(w, l.start, l.colon, want);
    if (k >= 0 && spans[2 * k]! < 0) {
      l.trimValue();
      spans[2 * k] = l.valueStart;
      spans[2 * k + 1] = l.valueEnd;
    }
  }
  return l.bodyStart;
}

/** Offset just past the blank line that ends a header block within `limit` bytes, or -1. */
export function headerBlockEnd(w: ByteWindow, limit = 16384): number {
  const end = w.length < limit ? w.length : limit;
  if (end > 0 && w.u8(0) === 0x0a) return 1;
  if (end > 1 && w.u8(0) === 0x0d && w.u8(1) === 0x0a) return 2;
  for (let nl = w.indexOf(0x0a); nl >= 0 && nl < end; nl = w.indexOf(0x0a, nl + 1)) {
    if (nl + 1 < end && w.u8(nl + 1) === 0x0a) return nl + 2;
    if (nl + 2 < end && w.u8(nl + 1) === 0x0d && w.u8(nl + 2) === 0x0a) return nl + 3;
  }
  return -1;
}

/** True when the window starts with the ASCII string `s`. */
export function startsWith(w: ByteWindow, s: string, o = 0): boolean {
  if (!w.has(o, s.length)) return false;
  for (let i = 0; i < s.length; i++) if (w.u8(o + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** `lower` (lower-case ASCII) at offset `o` of `w`, ignoring ASCII case. */
export function startsWithLower(w: ByteWindow, lower: string, o = 0): boolean {
  if (!w.has(o, lower.length)) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    const b = w.u8(o + i);
    if (b !== c && !(c >= 0x61 && c <= 0x7a && b === c - 0x20)) return false;
  }
  return true;
}

/** Split "Product/1.2.3 (comment)" style software strings: first product token and its version. */
export function productVersion(raw: string): { product: string; version: string | null } {
  const m = /^\s*([^/\s()]+)(?:\/([^\s()]+))?/.exec(raw);
  if (m === null) return { product: clip(raw.trim(), 128), version: null };
  return { product: clip(m[1]!, 128), version: m[2] !== undefined ? clip(m[2], 128) : null };
}

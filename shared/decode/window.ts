/**
 * A bounded, zero-copy view over packet bytes. Every read is checked against the window's end:
 * an out-of-range read returns 0 (or '') and sets `truncated`, so a dissector never reads past its
 * layer and never throws. Sub-windows are clamped to their parent, so a length field that lies can
 * only shrink what the next layer sees (the idea of Wireshark's tvbuff and gopacket's truncation).
 */
export class ByteWindow {
  buf: Uint8Array = EMPTY;
  start = 0;
  end = 0;
  truncated = false;

  reset(buf: Uint8Array, start: number, end: number): this {
    this.buf = buf;
    this.start = start < 0 ? 0 : start;
    this.end = end > buf.length ? buf.length : end < this.start ? this.start : end;
    this.truncated = false;
    return this;
  }

  get length(): number {
    return this.end - this.start;
  }

  /** True when `n` bytes are readable at offset `o`. Does not mark truncation. */
  has(o: number, n: number): boolean {
    return o >= 0 && n >= 0 && this.start + o + n <= this.end;
  }

  u8(o: number): number {
    const i = this.start + o;
    if (o < 0 || i >= this.end) return this.miss();
    return this.buf[i]!;
  }

  u16(o: number): number {
    const i = this.start + o;
    if (o < 0 || i + 2 > this.end) return this.miss();
    return (this.buf[i]! << 8) | this.buf[i + 1]!;
  }

  u16le(o: number): number {
    const i = this.start + o;
    if (o < 0 || i + 2 > this.end) return this.miss();
    return this.buf[i]! | (this.buf[i + 1]! << 8);
  }

  u24(o: number): number {
    const i = this.start + o;
    if (o < 0 || i + 3 > this.end) return this.miss();
    return (this.buf[i]! << 16) | (this.buf[i + 1]! << 8) | this.buf[i + 2]!;
  }

  u32(o: number): number {
    const i = this.start + o;
    if (o < 0 || i + 4 > this.end) return this.miss();
    const b = this.buf;
    return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  }

  u32le(o: number): number {
    const i = this.start + o;
    if (o < 0 || i + 4 > this.end) return this.miss();
    const b = this.buf;
    return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
  }

  /** 48-bit big-endian value (a MAC address) as an exact number; -1 when out of range. */
  u48(o: number): number {
    const i = this.start + o;
    if (o < 0 || i + 6 > this.end) {
      this.truncated = true;
      return -1;
    }
    const b = this.buf;
    return (
      ((b[i]! << 8) | b[i + 1]!) * 4294967296 +
      (((b[i + 2]! << 24) | (b[i + 3]! << 16) | (b[i + 4]! << 8) | b[i + 5]!) >>> 0)
    );
  }

  /** A view (no copy) of `n` bytes at `o`, clamped to the window. Copy it if it must outlive the packet. */
  bytes(o: number, n: number): Uint8Array {
    const s = this.start + (o < 0 ? 0 : o);
    if (s >= this.end) {
      if (n > 0) this.truncated = true;
      return EMPTY;
    }
    let e = s + (n < 0 ? 0 : n);
    if (e > this.end) {
      this.truncated = true;
      e = this.end;
    }
    return this.buf.subarray(s, e);
  }

  /**
   * Point `into` at `n` bytes from offset `o` of this window (to the end when n is omitted),
   * clamped so the child never extends past this window.
   */
  sub(into: ByteWindow, o: number, n?: number): ByteWindow {
    const s = this.start + (o < 0 ? 0 : o);
    const e = n === undefined ? this.end : s + (n < 0 ? 0 : n);
    if (e > this.end) {
      into.reset(this.buf, s > this.end ? this.end : s, this.end);
      into.truncated = true;
      return into;
    }
    return into.reset(this.buf, s > this.end ? this.end : s, e);
  }

  /** Bytes as Latin-1 / ASCII text, at most `max` characters (bounded allocation). */
  ascii(o: number, n: number, max = 1024): string {
    return latin1(this.bytes(o, n > max ? max : n));
  }

  /** Bytes as UTF-8 text (invalid sequences become U+FFFD), at most `max` bytes read. */
  utf8(o: number, n: number, max = 1024): string {
    return decodeUtf8(this.bytes(o, n > max ? max : n));
  }

  /** Index (relative) of the first occurrence of byte `v` at or after `o`, or -1. */
  indexOf(v: number, o = 0): number {
    const b = this.buf;
    for (let i = this.start + (o < 0 ? 0 : o); i < this.end; i++) if (b[i] === v) return i - this.start;
    return -1;
  }

  private miss(): number {
    this.truncated = true;
    return 0;
  }
}

const EMPTY = new Uint8Array(0);

/** Arguments per fromCharCode call: far below any engine's argument limit. */
const LATIN1_SLICE = 4096;

/**
 * Bytes as Latin-1 text, a slice at a time: adding one character at a time made a string object per
 * byte (HTTP and SSDP header lines were most of the garbage of a run).
 */
export function latin1(b: Uint8Array): string {
  const n = b.length;
  // ASCII, most wire text: UTF-8 reads it as Latin-1 does, straight into a string, where apply()
  // first copies the bytes into an argument list (8 bytes a character; the largest source of
  // garbage in the steady state).
  let i = 0;
  while (i < n && b[i]! < 0x80) i++;
  if (i === n) return utf8Decoder.decode(b);
  if (n <= LATIN1_SLICE) return String.fromCharCode.apply(null, b as unknown as number[]);
  let s = '';
  for (let i = 0; i < n; i += LATIN1_SLICE)
    s += String.fromCharCode.apply(null, b.subarray(i, i + LATIN1_SLICE) as unknown as number[]);
  return s;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

export function decodeUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

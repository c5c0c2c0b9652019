import { latin1 } from '../../decode/window';

/** ASCII of the hex digits, lower case (JA4 writes codes in lower-case hex). */
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * A fingerprint string (JA3, JA4 and their server forms) written as ASCII into one scratch buffer and
 * made one string at the end: filtering, mapping, sorting and joining each list made an array per step
 * and a string per code (about fifty small strings a ClientHello). Bounded: past `cap` bytes nothing
 * more is written, and the callers' lists are bounded so that they never get there.
 */
export class FingerprintText {
  private readonly b: Uint8Array;
  private n = 0;

  constructor(cap: number) {
    this.b = new Uint8Array(cap);
  }

  reset(): this {
    this.n = 0;
    return this;
  }

  /** Bytes written since reset. */
  get length(): number {
    return this.n;
  }

  /** Forget what was written after the first `n` bytes. */
  cut(n: number): void {
    if (n < this.n) this.n = n;
  }

  char(c: number): void {
    if (this.n < this.b.length) this.b[this.n++] = c;
  }

  /** `v` (0-0xffff) as four lower-case hex digits. */
  hex4(v: number): void {
    this.char(HEX[(v >>> 12) & 15]!);
    this.char(HEX[(v >>> 8) & 15]!);
    this.char(HEX[(v >>> 4) & 15]!);
    this.char(HEX[v & 15]!);
  }

  /** A non-negative integer in decimal, as String(v) writes it. */
  dec(v: number): void {
    let d = 1;
    while (d * 10 <= v) d *= 10;
    for (; d >= 1; d /= 10) this.char(0x30 + (Math.floor(v / d) % 10));
  }

  text(): string {
    return latin1(this.b.subarray(0, this.n));
  }
}

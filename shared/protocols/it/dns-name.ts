import type { ByteWindow } from '../../decode/window';

/** RFC 1035 limits: a name is at most 255 octets; we follow at most this many compression pointers. */
const MAX_NAME = 255;
const MAX_JUMPS = 16;
const MAX_LABELS = 128;

export interface NameResult {
  name: string;
  /** Offset just past the name where it started (after the first pointer, if any). */
  next: number;
}

/**
 * Read a DNS name at `o` (labels and compression pointers). Bounded: at most MAX_JUMPS pointers, a
 * total length of MAX_NAME, and no pointer may point at or after itself unless it is a jump count
 * within the budget (so loops end). Returns null on anything malformed; never throws.
 */
export function readName(w: ByteWindow, o: number): NameResult | null {
  let name = '';
  let next = -1;
  let jumps = 0;
  let total = 0;
  let pos = o;
  for (let labels = 0; labels < MAX_LABELS; labels++) {
    if (!w.has(pos, 1)) return null;
    const len = w.u8(pos);
    if (len === 0) {
      return { name: name === '' ? '.' : name, next: next < 0 ? pos + 1 : next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (!w.has(pos, 2)) return null;
      const target = ((len & 0x3f) << 8) | w.u8(pos + 1);
      if (next < 0) next = pos + 2;
      // Pointers point backwards in every sane encoder; forward ones are allowed only within the jump budget.
      if (++jumps > MAX_JUMPS || target === pos) return null;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return null; // 0x40 / 0x80 label types are obsolete
    total += len + 1;
    if (total > MAX_NAME || !w.has(pos + 1, len)) return null;
    const label = w.utf8(pos + 1, len, 63);
    name = name === '' ? label : name + '.' + label;
    pos += 1 + len;
  }
  return null;
}

/** Skip a name without decoding it: the offset after it, or -1. */
export function skipName(w: ByteWindow, o: number): number {
  let pos = o;
  for (let i = 0; i < MAX_LABELS; i++) {
    if (!w.has(pos, 1)) return -1;
    const len = w.u8(pos);
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) return w.has(pos, 2) ? pos + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    pos += 1 + len;
  }
  return -1;
}

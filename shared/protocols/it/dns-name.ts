import { latin1, type ByteWindow } from '../../decode/window';

/** RFC 1035 limits: a name is at most 255 octets; we follow at most this many compression pointers. */
const MAX_NAME = 255;
const MAX_JUMPS = 16;
const MAX_LABELS = 128;

export interface NameResult {
  name: string;
  /** Offset just past the name where it started (after the first pointer, if any). */
  next: number;
}

/** The bytes of the name being read, labels joined by dots (at most MAX_NAME - 1 of them). */
const joined = new Uint8Array(MAX_NAME);
/** Length in `joined` of the last name walked, or -1 when one of its bytes is not ASCII. */
let joinedLen = 0;

/**
 * Walk a DNS name at `o` (labels and compression pointers), copying its labels into `joined` when
 * `copy`. Bounded: at most MAX_JUMPS pointers, a total length of MAX_NAME, and no pointer may point
 * at itself (so loops end within the jump budget). The offset just past the name, or -1 on
 * anything malformed; never throws.
 */
function walk(w: ByteWindow, o: number, copy: boolean): number {
  let next = -1;
  let jumps = 0;
  let total = 0;
  let pos = o;
  let n = 0;
  let ascii = true;
  for (let labels = 0; labels < MAX_LABELS; labels++) {
    if (!w.has(pos, 1)) return -1;
    const len = w.u8(pos);
    if (len === 0) {
      joinedLen = ascii ? n : -1;
      return next < 0 ? pos + 1 : next;
    }
    if ((len & 0xc0) === 0xc0) {
      if (!w.has(pos, 2)) return -1;
      const target = ((len & 0x3f) << 8) | w.u8(pos + 1);
      if (next < 0) next = pos + 2;
      // Pointers point backwards in every sane encoder; forward ones are allowed only within the jump budget.
      if (++jumps > MAX_JUMPS || target === pos) return -1;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return -1; // 0x40 / 0x80 label types are obsolete
    total += len + 1;
    if (total > MAX_NAME || !w.has(pos + 1, len)) return -1;
    if (copy) {
      // total <= MAX_NAME bounds n + 1 + len, so the copy stays within `joined`.
      if (n > 0) joined[n++] = 0x2e;
      for (let i = 1; i <= len; i++) {
        const c = w.u8(pos + i);
        if (c >= 0x80) ascii = false;
        joined[n++] = c;
      }
    }
    pos += 1 + len;
  }
  return -1;
}

/**
 * Read a DNS name at `o`; null on anything malformed (see walk). Labels are UTF-8, invalid
 * sequences U+FFFD. An ASCII name (nearly all) is made as one string from the joined bytes, with
 * no view or string per label.
 */
export function readName(w: ByteWindow, o: number): NameResult | null {
  const next = walk(w, o, true);
  if (next < 0) return null;
  if (joinedLen >= 0) return { name: joinedLen === 0 ? '.' : latin1(joined.subarray(0, joinedLen)), next };
  return { name: decodeLabels(w, o), next };
}

/** Offset just past a well-formed name at `o` (as readName checks it), or -1; makes no string. */
export function nameEnd(w: ByteWindow, o: number): number {
  return walk(w, o, false);
}

/**
 * A name with a non-ASCII byte, decoded label by label (each decode strips its own leading BOM,
 * so joining first would differ). Called only on a name walk() accepted.
 */
function decodeLabels(w: ByteWindow, o: number): string {
  let name = '';
  let pos = o;
  for (let labels = 0; labels < MAX_LABELS; labels++) {
    const len = w.u8(pos);
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      pos = ((len & 0x3f) << 8) | w.u8(pos + 1);
      continue;
    }
    const label = w.utf8(pos + 1, len, 63);
    name = name === '' ? label : name + '.' + label;
    pos += 1 + len;
  }
  return name === '' ? '.' : name;
}

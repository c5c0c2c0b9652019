/**
 * Streaming reader of capture files: classic pcap (both byte orders, micro- and nanosecond) and
 * pcapng (sections in either byte order, several interfaces with their own link types and
 * if_tsresol/if_tsoffset, enhanced, simple and obsolete packet blocks, name-resolution and interface
 * statistics blocks; unknown blocks skipped). Bytes are pushed in chunks of any size; frames come
 * out as views into those chunks (copied only when a record straddles two chunks), so a file of any
 * size streams through in constant memory. Field layouts from the pcap and pcapng specifications
 * (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng).
 */
import { ipv6ToString } from '../util/addr';

export interface FrameSink {
  (data: Uint8Array, linkType: number, ts: number, wireLen: number, iface: number): void;
}

/**
 * A record's header, one object the parser fills again for every frame. Its time (milliseconds, a
 * fraction) is a double: passed as an argument V8 boxes it, an allocation per frame (16 bytes, 10 MB
 * over the benchmark capture); as a field it is written in place.
 */
export class RecordHeader {
  linkType = 0;
  /** Capture time, milliseconds since 1970. */
  ts = 0;
  wireLen = 0;
  iface = 0;

  constructor() {
    // Starts as a double, as Packet's times do: a field that starts as a small integer changes its
    // object's hidden class when it first holds a fraction.
    this.ts = 0.5;
    this.ts = 0;
  }
}

/**
 * The same, without a view object per frame: the frame is `chunk[start, end)`, described by `h`
 * (valid for the call only). A view costs an allocation per packet (75 MB over the benchmark
 * capture), the garbage collector's largest meal.
 */
export interface RecordSink {
  (chunk: Uint8Array, start: number, end: number, h: RecordHeader): void;
}

export interface CaptureInterface {
  linkType: number;
  snapLen: number;
  name: string | null;
  description: string | null;
  /** Kernel/interface drops reported by a statistics block, when present. */
  drops: number | null;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** Records larger than this are corrupt, not packets (Wireshark's limit is 256 KiB for most links). */
const MAX_RECORD = 1 << 20;
/** pcapng blocks larger than this are corrupt (the spec sets no limit; real blocks are far smaller). */
const MAX_BLOCK = 16 << 20;
/** Name-resolution entries kept per file, to bound memory on hostile input. */
const MAX_NAMES = 65536;

export class CaptureParser {
  format: CaptureFormat | null = null;
  readonly warnings: string[] = [];
  /** Interfaces of the current pcapng section (one pseudo-interface for classic pcap). */
  interfaces: CaptureInterface[] = [];
  /** Address -> names from pcapng name-resolution blocks. */
  readonly names: { ip: string; name: string }[] = [];
  frames = 0;
  /** Bytes of input fully parsed so far (the absolute offset of the first unparsed byte). */
  consumed = 0;
  /** Set when the input stopped making sense; further input is ignored. */
  stopped = false;

  private pending: Uint8Array | null = null;
  private le = true;
  private nano = false;
  private linkType = 0;
  private header = false;

  private readonly record: RecordSink;
  private readonly h = new RecordHeader();

  /** Frames as views (`sink`), or as ranges of the chunk when `{ records }` is given. */
  constructor(sink: FrameSink | { records: RecordSink }) {
    this.record =
      typeof sink === 'function'
        ? (b, s, e, h) => sink(b.subarray(s, e), h.linkType, h.ts, h.wireLen, h.iface)
        : sink.records;
  }

  /** One frame to the sink, its header written into the one reused object (`ts` set by the caller). */
  private emit(
    b: Uint8Array,
    start: number,
    end: number,
    linkType: number,
    wireLen: number,
    iface: number,
  ): void {
    const h = this.h;
    h.linkType = linkType;
    h.wireLen = wireLen;
    h.iface = iface;
    this.frames++;
    this.record(b, start, end, h);
  }

  push(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    let used = 0;
    // Complete a record left over from the last chunk by copying only the bytes it still needs,
    // so the (large) chunk itself is never copied.
    while (this.pending !== null && used < chunk.length) {
      const pend: Uint8Array = this.pending;
      const size = this.unitSize(pend);
      const want = size < 0 ? pend.length + 64 : size;
      const take = Math.min(want - pend.length, chunk.length - used);
      const joined = new Uint8Array(pend.length + take);
      joined.set(pend, 0);
      joined.set(chunk.subarray(used, used + take), pend.length);
      used += take;
      this.pending = null;
      if (size >= 0 && joined.length < size) {
        this.pending = joined;
        return;
      }
      this.parse(joined);
      if (this.stopped) return;
    }
    if (used < chunk.length) this.parse(used === 0 ? chunk : chunk.subarray(used));
  }

  /** Parse what `buf` holds; whatever is left incomplete becomes `pending` (copied). */
  private parse(buf: Uint8Array): void {
    if (this.format === null) {
      if (buf.length < 4) {
        this.pending = buf.slice();
        return;
      }
      const m = u32(buf, 0, false);
      if (m === 0x0a0d0d0a) this.format = 'pcapng';
      else if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1)
        this.format = 'pcap';
      else {
        this.fail('not a capture file: expected a pcap or pcapng header');
        return;
      }
    }
    const off = this.format === 'pcap' ? this.pcap(buf) : this.pcapng(buf);
    this.consumed += off;
    if (!this.stopped && off < buf.length) this.pending = buf.slice(off);
  }

  /**
   * Size of the unit (file header, record or block) that starts `b`, or -1 while too few bytes are
   * there to tell. Implausible sizes are reported by the parser proper, so they are capped here.
   */
  private unitSize(b: Uint8Array): number {
    if (this.format === null || (this.format === 'pcap' && !this.header)) return b.length >= 4 ? 24 : -1;
    if (this.format === 'pcap')
      return b.length < 16 ? -1 : Math.min(16 + u32(b, 8, this.le), 16 + MAX_RECORD + 1);
    if (b.length < 12) return -1;
    let le = this.le;
    if (u32(b, 0, false) === 0x0a0d0d0a) le = u32(b, 8, false) === 0x4d3c2b1a;
    const len = u32(b, 4, le);
    return len < 12 ? 12 : Math.min(len, MAX_BLOCK + 4);
  }

  /** Call at end of input: a partial record left over is reported and dropped. */
  end(): void {
    if (this.stopped) return;
    if (this.format === null) {
      this.fail('not a capture file: empty or shorter than a header');
      return;
    }
    if (this.pending !== null && this.pending.length > 0) {
      this.warnings.push(
        `capture ends with a truncated ${this.format === 'pcap' ? 'record' : 'block'} (${this.pending.length} bytes ignored); ` +
          `the ${this.frames} frames before it were read`,
      );
      this.pending = null;
    }
  }

  /** True when the input was not recognised as a capture at all. */
  get notCapture(): boolean {
    return this.stopped && this.frames === 0 && !this.header;
  }

  private fail(msg: string): void {
    this.warnings.push(msg);
    this.stopped = true;
    this.pending = null;
  }

  private pcap(b: Uint8Array): number {
    let off = 0;
    if (!this.header) {
      if (b.length < 24) return 0;
      const m = u32(b, 0, false);
      this.le = m === 0xd4c3b2a1 || m === 0x4d3cb2a1;
      this.nano = m === 0xa1b23c4d || m === 0x4d3cb2a1;
      // Only the low 16 bits are the link type; the upper bits may carry FCS information (pcap spec,
      // "LinkType and additional information").
      this.linkType = u32(b, 20, this.le) & 0xffff;
      const snap = u32(b, 16, this.le);
      this.interfaces = [
        { linkType: this.linkType, snapLen: snap, name: null, description: null, drops: null },
      ];
      this.header = true;
      off = 24;
    }
    const le = this.le;
    const div = this.nano ? 1e6 : 1e3;
    while (off + 16 <= b.length) {
      const incl = u32(b, off + 8, le);
      const orig = u32(b, off + 12, le);
      if (incl > MAX_RECORD) {
        this.fail(
          `corrupt record at frame ${this.frames + 1}: captured length ${incl} is implausible; stopped reading, ${this.frames} frames kept`,
        );
        return b.length;
      }
      if (off + 16 + incl > b.length) break;
      this.h.ts = u32(b, off, le) * 1000 + u32(b, off + 4, le) / div;
      this.emit(b, off + 16, off + 16 + incl, this.linkType, orig < incl ? incl : orig, 0);
      off += 16 + incl;
    }
    return off;
  }

  private pcapng(b: Uint8Array): number {
    let off = 0;
    while (off + 12 <= b.length) {
      const typeBe = u32(b, off, false);
      if (typeBe === 0x0a0d0d0a) {
        // Section header: the byte-order magic decides how everything in the section is read.
        const bom = u32(b, off + 8, false);
        if (bom === 0x1a2b3c4d) this.le = false;
        else if (bom === 0x4d3c2b1a) this.le = true;
        else {
          this.fail(
            `corrupt pcapng section header at byte ${this.consumed + off}: bad byte-order magic; stopped reading, ${this.frames} frames kept`,
          );
          return b.length;
        }
        this.interfaces = [];
        this.header = true;
      } else if (!this.header) {
        this.fail('not a capture file: pcapng without a section header');
        return b.length;
      }
      const le = this.le;
      const type = u32(b, off, le);
      const len = u32(b, off + 4, le);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
        this.fail(
          `corrupt pcapng block at byte ${this.consumed + off} (length ${len}); stopped reading, ${this.frames} frames kept`,
        );
        return b.length;
      }
      if (off + len > b.length) break;
      if (u32(b, off + len - 4, le) !== len) {
        this.fail(
          `corrupt pcapng block at byte ${this.consumed + off}: trailing length does not match; stopped reading, ${this.frames} frames kept`,
        );
        return b.length;
      }
      this.block(type, b, off, len, le);
      off += len;
    }
    return off;
  }

  private block(type: number, b: Uint8Array, off: number, len: number, le: boolean): void {
    const body = off + 8;
    const bodyEnd = off + len - 4;
    switch (type) {
      case 0x00000001: {
        // Interface description block.
        if (bodyEnd - body < 8) return this.warn('short interface description block');
        const iface: CaptureInterface & { tsDiv: number; tsOff: number } = {
          linkType: u16(b, body, le),
          snapLen: u32(b, body + 4, le),
          name: null,
          description: null,
          drops: null,
          tsDiv: 1e6,
          tsOff: 0,
        };
        forOptions(b, body + 8, bodyEnd, le, (code, o, n) => {
          if (code === 9 && n >= 1) {
            const v = b[o]!;
            const exp = v & 0x7f;
            // High bit clear: negative power of 10; set: negative power of 2. Even 10^127 is a finite
            // double, so any byte gives a finite divisor; a time it makes absurd is the analyzer's to count.
            iface.tsDiv = v & 0x80 ? Math.pow(2, exp) : Math.pow(10, exp);
          } else if (code === 14 && n >= 8) {
            // Seconds, signed 64-bit (the spec): the high word carries the sign.
            iface.tsOff = (u32(b, o + (le ? 4 : 0), le) | 0) * 4294967296 + u32(b, o + (le ? 0 : 4), le);
          } else if (code === 2) iface.name = text(b, o, n);
          else if (code === 3) iface.description = text(b, o, n);
        });
        if (this.interfaces.length < 65536) this.interfaces.push(iface);
        return;
      }
      case 0x00000006:
      case 0x00000002: {
        // Enhanced packet block; the obsolete packet block has a 16-bit interface id and drop count.
        if (bodyEnd - body < 20) return this.warn('short packet block');
        const id = type === 6 ? u32(b, body, le) : u16(b, body, le);
        const iface = this.interfaces[id] as
          (CaptureInterface & { tsDiv: number; tsOff: number }) | undefined;
        if (iface === undefined) return this.warn(`packet for undeclared interface ${id}`);
        const hi = u32(b, body + 4, le);
        const lo = u32(b, body + 8, le);
        let cap = u32(b, body + 12, le);
        const orig = u32(b, body + 16, le);
        if (cap > bodyEnd - body - 20) {
          this.warn(`packet block ${this.frames + 1} claims more data than it holds`);
          cap = bodyEnd - body - 20;
        }
        this.h.ts = ((hi * 4294967296 + lo) / iface.tsDiv + iface.tsOff) * 1000;
        this.emit(b, body + 20, body + 20 + cap, iface.linkType, orig < cap ? cap : orig, id);
        return;
      }
      case 0x00000003: {
        // Simple packet block: interface 0, no timestamp.
        const iface = this.interfaces[0];
        if (iface === undefined) return this.warn('simple packet block before any interface');
        const orig = u32(b, body, le);
        let cap = bodyEnd - body - 4;
        if (orig < cap) cap = orig;
        if (iface.snapLen > 0 && cap > iface.snapLen) cap = iface.snapLen;
        this.h.ts = 0;
        this.emit(b, body + 4, body + 4 + cap, iface.linkType, orig, 0);
        return;
      }
      case 0x00000004:
        return this.nameResolution(b, body, bodyEnd, le);
      case 0x00000005: {
        // Interface statistics: keep if_dropcount (option 5) for the interface.
        if (bodyEnd - body < 12) return;
        const iface = this.interfaces[u32(b, body, le)];
        if (iface === undefined) return;
        forOptions(b, body + 12, bodyEnd, le, (code, o, n) => {
          if (code === 5 && n >= 8)
            iface.drops = u32(b, o + (le ? 4 : 0), le) * 4294967296 + u32(b, o + (le ? 0 : 4), le);
        });
        return;
      }
      default:
        return; // Section header handled by the caller; custom, decryption-secrets and unknown blocks skipped.
    }
  }

  private nameResolution(b: Uint8Array, o: number, end: number, le: boolean): void {
    while (o + 4 <= end) {
      const type = u16(b, o, le);
      const n = u16(b, o + 2, le);
      const v = o + 4;
      if (type === 0 || v + n > end) return;
      const alen = type === 1 ? 4 : type === 2 ? 16 : 0;
      if (alen > 0 && n > alen && this.names.length < MAX_NAMES) {
        const ip = alen === 4 ? `${b[v]}.${b[v + 1]}.${b[v + 2]}.${b[v + 3]}` : ipv6ToString(b, v);
        // One address, then zero-terminated names.
        for (const name of text(b, v + alen, n - alen).split('\0'))
          if (name) this.names.push({ ip, name: name.slice(0, 255) });
      }
      o = v + ((n + 3) & ~3);
    }
  }

  private warn(msg: string): void {
    if (this.warnings.length < 100) this.warnings.push(msg);
  }
}

function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Walk pcapng options (code, length, value padded to 4) within [o, end). */
function forOptions(
  b: Uint8Array,
  o: number,
  end: number,
  le: boolean,
  f: (code: number, o: number, n: number) => void,
) {
  while (o + 4 <= end) {
    const code = u16(b, o, le);
    const n = u16(b, o + 2, le);
    if (code === 0 || o + 4 + n > end) return;
    f(code, o + 4, n);
    o += 4 + ((n + 3) & ~3);
  }
}

function text(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && i < 1024; i++) s += String.fromCharCode(b[o + i]!);
  return s.replace(/\0+$/, '');
}

import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext } from '../contract';
import { StreamBuf, directionKey } from './stream';

/**
 * Length-prefixed PDUs (NetBIOS session messages, TPKT) over one direction of a TCP flow. A PDU the
 * protocol reads is handed over whole: in place when one segment holds it, else collected across
 * segments into a bounded StreamBuf (the shared STREAM_BUDGET applies). Every other PDU is stepped
 * over by its length without a copy, so bulk transfers (SMB file reads of megabytes) stay cheap.
 * A gap in sequence numbers inside a PDU being stepped over costs nothing; anywhere else the framing
 * is lost and the direction waits for a segment that starts with a valid PDU header.
 */
export interface PduFraming {
  /** Bytes needed to read a PDU's length. */
  readonly lenBytes: number;
  /** Bytes needed to decide about a PDU (fewer when the PDU is shorter). */
  readonly peekBytes: number;
  /** At most this many bytes of a PDU are collected; the rest of a longer one is skipped. */
  readonly cap: number;
  /** Total length (header included) of the PDU at `o`, or -1 when the bytes there start no PDU. */
  length(w: ByteWindow, o: number): number;
  /**
   * With min(peekBytes, len) bytes of the PDU at `o`: READ to have it handed over, SKIP to step over
   * it, LOST when it is not a valid PDU after all (a lying length upstream, or bytes mid-PDU).
   */
  check(w: ByteWindow, o: number, len: number): number;
}

export const PDU_SKIP = 0;
export const PDU_READ = 1;
export const PDU_LOST = -1;

/** Receives a PDU from its first byte; `len` is its full length (`w` is shorter when capped). */
export type PduReader<S> = (w: ByteWindow, len: number, p: Packet, ctx: AppContext, s: S) => void;

/** Bound on PDUs per segment: a segment of tiny PDUs beyond it costs the framing, not the loop. */
const MAX_PDUS = 512;

const part = new ByteWindow();
const whole = new ByteWindow();

export class PduStream {
  /** Sequence number expected next, or -1 before the first segment. */
  nextSeq = -1;
  /** Bytes of the current PDU still to step over. */
  skip = 0;
  /** Framing unknown (first segment, gap, lie): resynchronise at the start of a segment. */
  lost = true;
  /** The buffer holds the start of a PDU (header still incomplete while `len` is 0). */
  collecting = false;
  /** Whether the PDU being collected was checked and is to be read. */
  decided = false;
  len = 0;
  /** Valid PDU starts seen (the flow speaks the protocol). */
  starts = 0;
  readonly buf: StreamBuf;

  constructor(readonly framing: PduFraming) {
    this.buf = new StreamBuf(framing.cap);
  }

  lose(): void {
    this.lost = true;
    this.skip = 0;
    this.collecting = false;
    this.decided = false;
    this.len = 0;
    this.buf.clear();
  }

  /** Feed one TCP segment of this direction (the whole TCP payload window). */
  feed<S>(w: ByteWindow, p: Packet, read: PduReader<S>, ctx: AppContext, s: S): void {
    const n = w.length;
    let o = 0;
    if (this.nextSeq >= 0) {
      const d = (p.tcpSeq - this.nextSeq) | 0;
      if (d < 0) {
        // Overlaps bytes already taken: only what follows them is new.
        if (-d >= n) return;
        o = -d;
      } else if (d > 0) {
        // Lost bytes inside a PDU we step over anyway change nothing.
        if (!this.lost && !this.collecting && this.skip >= d) this.skip -= d;
        else this.lose();
      }
    }
    this.nextSeq = (p.tcpSeq + n) >>> 0;
    if (this.lost) {
      if (!this.startsPdu(w, o)) return;
      this.lost = false;
    }
    const f = this.framing;
    for (let i = 0; o < n; i++) {
      if (i >= MAX_PDUS) return this.lose();
      if (this.skip > 0) {
        const k = this.skip < n - o ? this.skip : n - o;
        this.skip -= k;
        o += k;
        continue;
      }
      if (this.collecting) {
        o = this.collect(w, o, p, read, ctx, s);
        if (o < 0) return this.lose();
        continue;
      }
      const avail = n - o;
      if (avail < f.lenBytes) {
        this.begin(w, o, avail, 0);
        return;
      }
      const len = f.length(w, o);
      if (len < f.lenBytes) return this.lose();
      const need = len < f.peekBytes ? len : f.peekBytes;
      if (avail < need) {
        this.begin(w, o, avail, len);
        return;
      }
      const c = f.check(w, o, len);
      if (c === PDU_LOST) return this.lose();
      this.starts++;
      if (c === PDU_SKIP) {
        this.skip = len;
        continue;
      }
      if (avail >= len) {
        read(w.sub(whole, o, len), len, p, ctx, s);
        o += len;
        continue;
      }
      this.begin(w, o, avail, len);
      this.decided = true;
      return;
    }
  }

  /** Whether a valid PDU header starts at `o` (checked within this segment only). */
  private startsPdu(w: ByteWindow, o: number): boolean {
    const f = this.framing;
    if (!w.has(o, f.lenBytes)) return false;
    const len = f.length(w, o);
    if (len < f.lenBytes) return false;
    const need = len < f.peekBytes ? len : f.peekBytes;
    return w.has(o, need) && f.check(w, o, len) !== PDU_LOST;
  }

  /** Start collecting a PDU from the `avail` bytes at `o` (`len` 0: not known yet). */
  private begin(w: ByteWindow, o: number, avail: number, len: number): void {
    this.collecting = true;
    this.decided = false;
    this.len = len;
    this.buf.clear();
    if (!this.buf.append(w.sub(part, o, avail))) this.lose();
  }

  /** Take bytes at `o` for the PDU being collected; the new offset, or -1 when framing is lost. */
  private collect<S>(w: ByteWindow, o: number, p: Packet, read: PduReader<S>, ctx: AppContext, s: S): number {
    const f = this.framing;
    const b = this.buf;
    if (this.len === 0) {
      o = this.take(w, o, f.lenBytes);
      if (o < 0 || b.len < f.lenBytes) return o;
      this.len = f.length(b.view(whole), 0);
      if (this.len < f.lenBytes) return -1;
    }
    if (!this.decided) {
      o = this.take(w, o, this.len < f.peekBytes ? this.len : f.peekBytes);
      if (o < 0 || b.len < (this.len < f.peekBytes ? this.len : f.peekBytes)) return o;
      const c = f.check(b.view(whole), 0, this.len);
      if (c === PDU_LOST) return -1;
      this.starts++;
      if (c === PDU_SKIP) {
        this.skip = this.len - b.len;
        this.collecting = false;
        b.clear();
        return o;
      }
      this.decided = true;
    }
    const want = this.len < f.cap ? this.len : f.cap;
    o = this.take(w, o, want);
    if (o < 0 || b.len < want) return o;
    read(b.view(whole), this.len, p, ctx, s);
    this.skip = this.len - want;
    this.collecting = false;
    this.decided = false;
    b.clear();
    return o;
  }

  /** Append bytes at `o` until the buffer holds `upTo`; the new offset, or -1 over the budget. */
  private take(w: ByteWindow, o: number, upTo: number): number {
    const k = Math.min(upTo - this.buf.len, w.length - o);
    if (k <= 0) return o;
    if (!this.buf.append(w.sub(part, o, k))) return -1;
    return o + k;
  }
}

/** The two directions of a flow, each with its own PduStream (no allocation once both exist). */
export class PduDirections {
  private keyA = -1;
  private keyB = -1;
  private a: PduStream | null = null;
  private b: PduStream | null = null;

  constructor(private readonly framing: PduFraming) {}

  get(p: Packet): PduStream {
    const k = directionKey(p);
    if (k === this.keyA && this.a !== null) return this.a;
    if (k === this.keyB && this.b !== null) return this.b;
    const s = new PduStream(this.framing);
    // A third key (an IPv6 hash collision, or a reused state) replaces the older slot.
    if (this.a === null || this.b !== null) {
      this.b = this.a;
      this.keyB = this.keyA;
      this.a = s;
      this.keyA = k;
    } else {
      this.b = s;
      this.keyB = k;
    }
    return s;
  }

  /** Valid PDU starts seen in either direction. */
  get starts(): number {
    return (this.a?.starts ?? 0) + (this.b?.starts ?? 0);
  }
}

import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';

/**
 * A bounded byte buffer for one direction of a TCP flow: headers and handshakes that span segments
 * are collected here up to `cap` bytes, then parsed. Segments are taken in arrival order (no
 * sequence-number reordering: a passive sensor sees the common case in order, and a gap only costs
 * us the observation, never memory).
 */
/**
 * All stream buffers together may hold at most this many bytes: per-flow caps alone would allow
 * flows x cap (a flood of half-open HTTP headers, or of QUIC Initials, whose keys are public). Buffers count until the garbage collector has
 * reclaimed them, so flows dropped from the flow table give their share back without a hook.
 */
export const STREAM_BUDGET = 64 << 20;
let inUse = 0;
const reclaimed = new FinalizationRegistry<number>((n) => {
  inUse -= n;
});

/** Bytes currently held by stream buffers (for tests and statistics). */
export function streamBytesInUse(): number {
  return inUse;
}

/**
 * A buffer of `size` bytes charged to the shared budget until it is garbage, or null when the budget
 * is spent (the caller's stream then gives up rather than grow). For every reassembly buffer: TCP
 * directions here, QUIC CRYPTO streams.
 */
export function budgetedBuffer(size: number): Uint8Array<ArrayBuffer> | null {
  if (inUse + size > STREAM_BUDGET) return null;
  const d = new Uint8Array(size);
  inUse += size;
  reclaimed.register(d, size);
  return d;
}

/** The buffer of a StreamBuf that holds nothing: shared, never written (append grows it first). */
const NO_DATA = new Uint8Array(0);

export class StreamBuf {
  data: Uint8Array;
  len = 0;
  /** Set once the buffer overflowed or the parser is finished with this direction. */
  done = false;
  /** Sequence number expected next in this direction, or -1 before the first segment. */
  nextSeq = -1;

  constructor(readonly cap: number) {
    this.data = NO_DATA;
  }

  /** Append the window's bytes; false when the cap was reached (the excess is dropped). */
  append(w: ByteWindow): boolean {
    let n = w.length;
    let ok = true;
    if (this.len + n > this.cap) {
      n = this.cap - this.len;
      ok = false;
    }
    if (n <= 0) return ok;
    if (this.data.length < this.len + n) {
      let size = this.data.length === 0 ? 2048 : this.data.length * 2;
      while (size < this.len + n) size *= 2;
      if (size > this.cap) size = this.cap;
      const d = budgetedBuffer(size);
      if (d === null) {
        // Over the shared budget: this direction gives up rather than grow.
        this.done = true;
        return false;
      }
      if (this.len > 0) d.set(this.data.subarray(0, this.len));
      this.data = d;
    }
    this.data.set(w.bytes(0, n), this.len);
    this.len += n;
    return ok;
  }

  /**
   * Room for `size` bytes (at most the cap) in one buffer, where the caller knows from a header how
   * long what it collects is: doubling from 2048 made a TLS certificate record three buffers and two
   * copies. Over the shared budget it does nothing, and append() grows as before.
   */
  reserve(size: number): void {
    if (size <= this.data.length) return;
    // Never below the first size append() would take: a short record then grows no differently.
    if (size < 2048) size = 2048;
    if (size > this.cap) size = this.cap;
    if (this.data.length >= size) return;
    const d = budgetedBuffer(size);
    if (d === null) return;
    if (this.len > 0) d.set(this.data.subarray(0, this.len));
    this.data = d;
  }

  /**
   * Where a segment sits in this direction's byte stream: SEG_OLD when it only repeats bytes already
   * seen (a retransmission: not reported twice), SEG_GAP when bytes before it were never seen (lost
   * or reordered: what is buffered can no longer be trusted), SEG_NEXT otherwise. The expected
   * sequence number moves on for SEG_NEXT and SEG_GAP.
   */
  place(p: Packet, len: number): number {
    const d = this.nextSeq < 0 ? 0 : (p.tcpSeq - this.nextSeq) | 0;
    if (d < 0) return SEG_OLD;
    this.nextSeq = (p.tcpSeq + len) >>> 0;
    return d > 0 ? SEG_GAP : SEG_NEXT;
  }

  /** Point `into` at the buffered bytes. */
  view(into: ByteWindow): ByteWindow {
    return into.reset(this.data, 0, this.len);
  }

  clear(): void {
    this.len = 0;
    if (this.data.length > 4096) this.data = NO_DATA;
  }

  /** Drop the first `n` bytes (a message was consumed). */
  consume(n: number): void {
    if (n >= this.len) {
      this.clear();
      return;
    }
    this.data.copyWithin(0, n, this.len);
    this.len -= n;
  }
}

export const SEG_NEXT = 0;
export const SEG_OLD = 1;
export const SEG_GAP = 2;

/**
 * A key for the packet's direction within its flow: the sender's address and port, as a number (it
 * is computed for every TCP payload, so it must not allocate). Exact for IPv4; for IPv6 a hash of
 * the address, and the two directions of one flow differ in it or in the port.
 */
export function directionKey(p: Packet): number {
  if (p.ipVersion === 4) return p.src4 * 65536 + p.srcPort;
  let h = 0x811c9dc5;
  const a = p.src6;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a.charCodeAt(i), 0x01000193);
  return (h >>> 0) * 65536 + p.srcPort;
}

/**
 * A flow's state for each of its two directions, by directionKey: two slots, where a Map per flow
 * cost more than the state it held. A third direction (an IPv6 hash collision, a reused state)
 * clears both first, as the Maps were cleared.
 */
export class TwoDirections<T> {
  private k0 = -1;
  private k1 = -1;
  private v0: T | null = null;
  private v1: T | null = null;

  get(key: number): T | undefined {
    if (this.v0 !== null && this.k0 === key) return this.v0;
    if (this.v1 !== null && this.k1 === key) return this.v1;
    return undefined;
  }

  get size(): number {
    return (this.v0 === null ? 0 : 1) + (this.v1 === null ? 0 : 1);
  }

  /** Hold the state of a direction not held yet. */
  add(key: number, v: T): void {
    if (this.v0 !== null && this.v1 !== null) this.v0 = this.v1 = null;
    if (this.v0 === null) {
      this.k0 = key;
      this.v0 = v;
    } else {
      this.k1 = key;
      this.v1 = v;
    }
  }

  /** Both directions are held and `test` holds for each. */
  both(test: (v: T) => boolean): boolean {
    return this.v0 !== null && this.v1 !== null && test(this.v0) && test(this.v1);
  }
}

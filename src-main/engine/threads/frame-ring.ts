/**
 * A single-producer, single-consumer ring of captured frames in a SharedArrayBuffer: the reader
 * writes each frame once into a worker's ring, the worker reads it in place. No per-frame message or
 * copy between threads. Fixed size; a full ring makes the writer wait (back-pressure), an empty one
 * the reader.
 *
 * Layout: a control block of Int32 slots, then `capacity` bytes of records. A record is a 32-byte
 * header (caplen, link type, wire length, interface, frame number, time) and the frame, padded to 8.
 * A record never wraps: past the end goes a marker (caplen WRAP) and the record starts at 0.
 * Positions are byte counts modulo 2^32; `capacity` is a power of two, so `head & (capacity - 1)` is
 * the offset and `(head - tail) >>> 0` what is in use.
 */

const HEAD = 0;
const TAIL = 1;
const CLOSED = 2;
/** Set by the consumer when it stopped for good (it failed): the writer stops waiting. */
const FAILED = 3;
/** Set while the consumer (READER_WAITS) or producer (WRITER_WAITS) sleeps: the other side wakes it. */
const READER_WAITS = 4;
const WRITER_WAITS = 5;
const CONTROL_BYTES = 64;
const HEADER = 32;
const WRAP = 0xffffffff;

export class RingFailedError extends Error {}

/** What a consumer gets for one frame: views valid until the next `next()`. */
export interface RingFrame {
  data: Uint8Array;
  start: number;
  end: number;
  linkType: number;
  wireLen: number;
  iface: number;
  frameNo: number;
  /** The writer's own bits (a control record, say): the ring carries them as they are. */
  flags: number;
  ts: number;
}

const pad = (n: number) => (n + 7) & ~7;

/** The shared memory of one ring: pass it to the worker and open both ends on it. */
export function ringBuffer(capacity: number): SharedArrayBuffer {
  if (capacity < 1024 || (capacity & (capacity - 1)) !== 0)
    throw new RangeError('ring capacity must be a power of two of 1 KiB or more');
  return new SharedArrayBuffer(CONTROL_BYTES + capacity);
}

class RingView {
  protected readonly ctl: Int32Array;
  protected readonly bytes: Uint8Array;
  protected readonly view: DataView;
  protected readonly capacity: number;
  constructor(sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    this.capacity = sab.byteLength - CONTROL_BYTES;
    this.bytes = new Uint8Array(sab, CONTROL_BYTES, this.capacity);
    this.view = new DataView(sab, CONTROL_BYTES, this.capacity);
  }
  get failed(): boolean {
    return Atomics.load(this.ctl, FAILED) !== 0;
  }
}

export class RingWriter extends RingView {
  private head = 0;
  /** Frames longer than this are cut to it (a hostile record must not need more than the ring). */
  readonly maxFrame: number;
  constructor(
    sab: SharedArrayBuffer,
    /** How long a full ring may hold still before the writer gives up on its reader (ms). */
    private readonly stallMs = 120_000,
  ) {
    super(sab);
    this.maxFrame = this.capacity / 4 - HEADER;
  }

  /** Bytes in use now (the reader may free more at any moment). */
  used(): number {
    return (this.head - Atomics.load(this.ctl, TAIL)) >>> 0;
  }

  push(
    buf: Uint8Array,
    start: number,
    end: number,
    linkType: number,
    ts: number,
    wireLen: number,
    iface: number,
    frameNo: number,
    flags = 0,
  ): void {
    const len = Math.min(end - start, this.maxFrame);
    const size = HEADER + pad(len);
    let at = this.head & (this.capacity - 1);
    const skip = this.capacity - at < size ? this.capacity - at : 0;
    this.room(skip + size);
    const v = this.view;
    if (skip > 0) {
      v.setUint32(at, WRAP, true);
      at = 0;
    }
    v.setUint32(at, len, true);
    v.setUint32(at + 4, linkType, true);
    v.setUint32(at + 8, wireLen, true);
    v.setUint32(at + 12, iface, true);
    v.setUint32(at + 16, frameNo, true);
    v.setUint32(at + 20, flags, true);
    v.setFloat64(at + 24, ts, true);
    this.bytes.set(buf.subarray(start, start + len), at + HEADER);
    this.head = (this.head + skip + size) | 0;
    Atomics.store(this.ctl, HEAD, this.head);
    if (Atomics.load(this.ctl, READER_WAITS) !== 0) Atomics.notify(this.ctl, HEAD);
  }

  /** Waits (blocking this thread) until `n` bytes are free; throws if the reader failed or stalled. */
  private room(n: number): void {
    if (this.capacity - this.used() >= n) return;
    let tail = Atomics.load(this.ctl, TAIL);
    let since = Date.now();
    for (;;) {
      if (this.failed) throw new RingFailedError('the ring reader stopped');
      Atomics.store(this.ctl, WRITER_WAITS, 1);
      if (this.capacity - this.used() < n) Atomics.wait(this.ctl, TAIL, tail, 100);
      Atomics.store(this.ctl, WRITER_WAITS, 0);
      if (this.capacity - this.used() >= n) return;
      const now = Date.now();
      const t = Atomics.load(this.ctl, TAIL);
      if (t !== tail) [tail, since] = [t, now];
      else if (now - since > this.stallMs)
        throw new RingFailedError(`the ring reader took no frame for ${this.stallMs / 1000} s`);
    }
  }

  /** No more frames: the reader finishes what the ring holds and sees the end. */
  close(): void {
    Atomics.store(this.ctl, CLOSED, 1);
    Atomics.notify(this.ctl, HEAD);
  }
}

export class RingReader extends RingView {
  private tail = 0;
  private readonly frame: RingFrame;
  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.frame = {
      data: this.bytes,
      start: 0,
      end: 0,
      linkType: 0,
      wireLen: 0,
      iface: 0,
      frameNo: 0,
      flags: 0,
      ts: 0,
    };
  }

  /**
   * The next frame, waiting (blocking this thread) up to `waitMs` for one; null when none came in that
   * time or the writer closed the ring and it is empty (then `done` is true). Call release() once
   * the frame is used: until then the writer does not reuse its bytes.
   */
  next(waitMs: number): RingFrame | null {
    const c = this.ctl;
    let head = Atomics.load(c, HEAD);
    if (head === this.tail) {
      if (Atomics.load(c, CLOSED) !== 0 && Atomics.load(c, HEAD) === this.tail) return null;
      Atomics.store(c, READER_WAITS, 1);
      head = Atomics.load(c, HEAD);
      if (head === this.tail && Atomics.load(c, CLOSED) === 0) Atomics.wait(c, HEAD, head, waitMs);
      Atomics.store(c, READER_WAITS, 0);
      head = Atomics.load(c, HEAD);
      if (head === this.tail) return null;
    }
    const v = this.view;
    let at = this.tail & (this.capacity - 1);
    let len = v.getUint32(at, true);
    if (len === WRAP) {
      this.tail = (this.tail + this.capacity - at) | 0;
      at = 0;
      len = v.getUint32(0, true);
    }
    const f = this.frame;
    f.start = at + HEADER;
    f.end = f.start + len;
    f.linkType = v.getUint32(at + 4, true);
    f.wireLen = v.getUint32(at + 8, true);
    f.iface = v.getUint32(at + 12, true);
    f.frameNo = v.getUint32(at + 16, true);
    f.flags = v.getUint32(at + 20, true);
    f.ts = v.getFloat64(at + 24, true);
    // Moved on here, published by release(): until then the writer cannot reuse these bytes.
    this.tail = (this.tail + HEADER + pad(len)) | 0;
    return f;
  }

  /** Whether the writer closed the ring and every frame was taken. */
  get done(): boolean {
    return Atomics.load(this.ctl, CLOSED) !== 0 && Atomics.load(this.ctl, HEAD) === this.tail;
  }

  /** Gives back what `next` handed out (call once the frame is used); wakes a waiting writer. */
  release(): void {
    Atomics.store(this.ctl, TAIL, this.tail);
    if (Atomics.load(this.ctl, WRITER_WAITS) !== 0) Atomics.notify(this.ctl, TAIL);
  }

  /** This reader stops for good: the writer must not wait for it any more. */
  fail(): void {
    Atomics.store(this.ctl, FAILED, 1);
    Atomics.notify(this.ctl, TAIL);
  }
}

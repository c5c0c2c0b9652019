/**
 * A single-producer, single-consumer ring of captured frames in a SharedArrayBuffer: the reader
 * writes each frame once into a worker's ring, the worker reads it in place. No per-frame message or
 * copy between threads. Fixed size; a full ring makes the writer wait (back-pressure), an empty one
 * the reader.
 *
 * Layout: a control block of Int32 slots, then `capacity` bytes of records. A record is a 40-byte
 * header (caplen, link type, wire length, interface, frame number, flags, skew, time) and the frame,
 * `skew` bytes on (0-7, so that it sits as the source bytes do modulo 8), padded to 8.
 * A record never wraps: past the end goes a marker (caplen WRAP) and the record starts at 0.
 * Positions are byte counts modulo 2^32; `capacity` is a power of two, so `head & (capacity - 1)` is
 * the offset and `(head - tail) >>> 0` what is in use.
 *
 * Each side publishes its position in batches and wakes the other only when that one asked, with room
 * to spare: waking a thread costs a system call, and a ring that woke its reader for every frame (or
 * its writer for every frame freed) spent more time switching threads than analysing.
 */

// Each control slot on a cache line of its own: the writer's and the reader's positions change all
// the time, and sharing a line would make every store of one slow down the other's loads.
const SLOT = 16;
const HEAD = 0;
const TAIL = SLOT;
const CLOSED = 2 * SLOT;
/** Set by the consumer when it stopped for good (it failed): the writer stops waiting. */
const FAILED = 3 * SLOT;
/** Set while the consumer sleeps: the writer wakes it when it publishes. */
const READER_WAITS = 4 * SLOT;
/** While the producer sleeps: how many bytes it waits to be free (the reader wakes it once they are). */
const WRITER_WAITS = 5 * SLOT;
const CONTROL_BYTES = 6 * SLOT * 4;
const HEADER = 40;
const WRAP = 0xffffffff;
/** How often (in frames) the reader looks whether the writer waits for room. */
const LOOK_EVERY = 32;

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
  /** The records' headers, in native byte order (both ends are one process), at 8-byte offsets. */
  protected readonly u32: Uint32Array;
  protected readonly f64: Float64Array;
  protected readonly capacity: number;
  constructor(sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    this.capacity = sab.byteLength - CONTROL_BYTES;
    this.bytes = new Uint8Array(sab, CONTROL_BYTES, this.capacity);
    this.u32 = new Uint32Array(sab, CONTROL_BYTES, this.capacity / 4);
    this.f64 = new Float64Array(sab, CONTROL_BYTES, this.capacity / 8);
  }
  get failed(): boolean {
    return Atomics.load(this.ctl, FAILED) !== 0;
  }
}

export class RingWriter extends RingView {
  private head = 0;
  /** What the reader had freed when last looked at: reloaded only when this is not enough. */
  private tail = 0;
  /** The head the reader was last told of. */
  private published = 0;
  /** Unpublished bytes beyond which push() publishes on its own. */
  private readonly batch: number;
  /** Frames longer than this are cut to it (a hostile record must not need more than the ring). */
  readonly maxFrame: number;
  constructor(
    sab: SharedArrayBuffer,
    /** How long a full ring may hold still before the writer gives up on its reader (ms). */
    private readonly stallMs = 120_000,
  ) {
    super(sab);
    this.maxFrame = this.capacity / 4 - HEADER - 8;
    this.batch = this.capacity / 16;
  }

  /** Bytes in use now, published or not (the reader may free more at any moment). */
  used(): number {
    this.tail = Atomics.load(this.ctl, TAIL);
    return (this.head - this.tail) >>> 0;
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
    // The copy goes a word at a time only where source and destination agree modulo 8 (V8's copy
    // into shared memory goes byte by byte otherwise, three times slower for a 300-byte frame).
    const skew = (buf.byteOffset + start) & 7;
    const size = HEADER + pad(skew + len);
    let at = this.head & (this.capacity - 1);
    const skip = this.capacity - at < size ? this.capacity - at : 0;
    if (this.capacity - ((this.head - this.tail) >>> 0) < skip + size) this.room(skip + size);
    const u = this.u32;
    if (skip > 0) {
      u[at >> 2] = WRAP;
      at = 0;
    }
    const h = at >> 2;
    u[h] = len;
    u[h + 1] = linkType;
    u[h + 2] = wireLen;
    u[h + 3] = iface;
    u[h + 4] = frameNo;
    u[h + 5] = flags;
    u[h + 6] = skew;
    this.f64[(at >> 3) + 4] = ts;
    this.bytes.set(buf.subarray(start, start + len), at + HEADER + skew);
    this.head = (this.head + skip + size) | 0;
    if ((this.head - this.published) >>> 0 >= this.batch) this.flush();
  }

  /** Lets the reader see every frame pushed so far (and wakes it if it sleeps). */
  flush(): void {
    if (this.head === this.published) return;
    this.published = this.head;
    Atomics.store(this.ctl, HEAD, this.head);
    if (Atomics.load(this.ctl, READER_WAITS) !== 0) Atomics.notify(this.ctl, HEAD);
  }

  /**
   * Waits (blocking this thread) until `n` bytes are free; throws if the reader failed or stalled.
   * Once it must sleep, it sleeps until a quarter of the ring is free, so a full ring does not wake
   * it for every frame the reader takes.
   */
  private room(n: number): void {
    if (this.capacity - this.used() >= n) return;
    this.flush();
    const want = Math.max(n, this.capacity / 4);
    let tail = this.tail;
    let since = Date.now();
    for (;;) {
      if (this.failed) throw new RingFailedError('the ring reader stopped');
      Atomics.store(this.ctl, WRITER_WAITS, want);
      if (this.capacity - this.used() < want) Atomics.wait(this.ctl, TAIL, this.tail, 100);
      Atomics.store(this.ctl, WRITER_WAITS, 0);
      if (this.capacity - this.used() >= n) return;
      const now = Date.now();
      if (this.tail !== tail) [tail, since] = [this.tail, now];
      else if (now - since > this.stallMs)
        throw new RingFailedError(`the ring reader took no frame for ${this.stallMs / 1000} s`);
    }
  }

  /** No more frames: the reader finishes what the ring holds and sees the end. */
  close(): void {
    this.flush();
    Atomics.store(this.ctl, CLOSED, 1);
    Atomics.notify(this.ctl, HEAD);
  }
}

export class RingReader extends RingView {
  private tail = 0;
  /** The writer's head when last loaded: reloaded only once every frame before it was taken. */
  private head = 0;
  /** The tail the writer was last told of. */
  private published = 0;
  /** Bytes taken but not yet given back beyond which release() publishes on its own. */
  private readonly batch: number;
  /** Frames released before release() next looks whether the writer waits. */
  private untilLook = LOOK_EVERY;
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
    this.batch = this.capacity / 64;
  }

  /**
   * The next frame, waiting (blocking this thread) up to `waitMs` for one; null when none came in that
   * time or the writer closed the ring and it is empty (then `done` is true). Call release() once
   * the frame is used: until then the writer does not reuse its bytes.
   */
  next(waitMs: number): RingFrame | null {
    const c = this.ctl;
    if (this.head === this.tail) this.head = Atomics.load(c, HEAD);
    if (this.head === this.tail) {
      // Nothing left: what was taken goes back before this thread sleeps.
      this.publish();
      if (Atomics.load(c, CLOSED) !== 0 && Atomics.load(c, HEAD) === this.tail) return null;
      Atomics.store(c, READER_WAITS, 1);
      let head = Atomics.load(c, HEAD);
      if (head === this.tail && Atomics.load(c, CLOSED) === 0) Atomics.wait(c, HEAD, head, waitMs);
      Atomics.store(c, READER_WAITS, 0);
      head = Atomics.load(c, HEAD);
      this.head = head;
      if (head === this.tail) return null;
    }
    const u = this.u32;
    let at = this.tail & (this.capacity - 1);
    let len = u[at >> 2]!;
    if (len === WRAP) {
      this.tail = (this.tail + this.capacity - at) | 0;
      at = 0;
      len = u[0]!;
    }
    const f = this.frame;
    const h = at >> 2;
    const skew = u[h + 6]! & 7;
    f.start = at + HEADER + skew;
    f.end = f.start + len;
    f.linkType = u[h + 1]!;
    f.wireLen = u[h + 2]!;
    f.iface = u[h + 3]!;
    f.frameNo = u[h + 4]!;
    f.flags = u[h + 5]!;
    f.ts = this.f64[(at >> 3) + 4]!;
    // Moved on here, published by release(): until then the writer cannot reuse these bytes.
    this.tail = (this.tail + HEADER + pad(skew + len)) | 0;
    return f;
  }

  /** Whether the writer closed the ring and every frame was taken. */
  get done(): boolean {
    return Atomics.load(this.ctl, CLOSED) !== 0 && Atomics.load(this.ctl, HEAD) === this.tail;
  }

  /**
   * Gives back what `next` handed out (call once the frame is used): to the writer in batches, or at
   * once when it waits for room.
   */
  release(): void {
    if ((this.tail - this.published) >>> 0 >= this.batch) this.publish();
    // Whether the writer waits, looked at every few frames: an atomic load per frame cost more than
    // the wait it saves (the writer sleeps until a quarter of the ring is free, thousands of frames).
    else if (--this.untilLook <= 0) {
      this.untilLook = LOOK_EVERY;
      if (Atomics.load(this.ctl, WRITER_WAITS) !== 0) this.publish();
    }
  }

  private publish(): void {
    if (this.tail === this.published) return;
    this.published = this.tail;
    Atomics.store(this.ctl, TAIL, this.tail);
    const want = Atomics.load(this.ctl, WRITER_WAITS);
    if (want !== 0 && this.capacity - ((Atomics.load(this.ctl, HEAD) - this.tail) >>> 0) >= want)
      Atomics.notify(this.ctl, TAIL);
  }

  /** This reader stops for good: the writer must not wait for it any more. */
  fail(): void {
    Atomics.store(this.ctl, FAILED, 1);
    Atomics.notify(this.ctl, TAIL);
  }
}

/**
 * The helper's side of the pipe: records are appended to a chunk and written to fd 1 once per
 * event-loop turn (setImmediate), so a burst of packets costs one write, not one per packet.
 * Writes go through fs.write (thread pool), one at a time, so a slow reader never blocks the event
 * loop that drains libpcap; instead the queue grows up to `maxQueueBytes`, past which frames are
 * refused (and counted by the caller as queue drops). Control records are never refused.
 */
import { write } from 'node:fs';
import { QUEUE_DEFAULT } from './config';
import { FRAME_HEADER, writeFrame } from './framing';

const CHUNK = 256 * 1024;

export class BatchWriter {
  private chunk = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private writing = false;
  private scheduled = false;
  private closed = false;
  private idle: (() => void)[] = [];

  /** Called once when the reader is gone (EPIPE and the like). */
  onBroken: (why: string) => void = () => {};

  constructor(
    private readonly fd = 1,
    /** Settable: the helper learns it from its config after the writer exists (for errors). */
    public maxQueueBytes = QUEUE_DEFAULT,
  ) {}

  /** Returns false when the frame was refused because the queue is full. */
  frame(
    iface: number,
    linkType: number,
    tsMs: number,
    wireLen: number,
    data: Uint8Array,
    capLen: number,
  ): boolean {
    if (this.closed) return false;
    const need = FRAME_HEADER + capLen;
    if (this.queued + this.pos + need > this.maxQueueBytes) return false;
    if (this.pos + need > this.chunk.length) {
      this.seal();
      if (need > this.chunk.length) this.chunk = Buffer.allocUnsafe(Math.max(CHUNK, need));
    }
    this.pos = writeFrame(this.chunk, this.pos, iface, linkType, tsMs, wireLen, data, capLen);
    this.schedule();
    return true;
  }

  control(rec: Buffer): void {
    if (this.closed) return;
    this.seal();
    this.queue.push(rec);
    this.queued += rec.length;
    this.schedule();
  }

  /** Resolves when everything queued so far has been written (or the pipe broke). */
  drain(): Promise<void> {
    this.seal();
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise((res) => {
      this.idle.push(res);
      this.kick();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.seal();
      this.kick();
    });
  }

  private seal(): void {
    if (this.pos === 0) return;
    const full = this.chunk.subarray(0, this.pos);
    this.queue.push(full);
    this.queued += full.length;
    // The sealed bytes now belong to the queue; continue in the rest of the chunk or a new one.
    const rest = this.chunk.subarray(this.pos);
    this.chunk = rest.length >= 64 * 1024 ? rest : Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
  }

  private kick(): void {
    if (this.writing || this.closed) return;
    if (this.queue.length === 0) {
      const w = this.idle;
      this.idle = [];
      for (const r of w) r();
      return;
    }
    const out = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue);
    this.queue.length = 0;
    this.writing = true;
    this.writeAll(out, 0);
  }

  private writeAll(out: Buffer, off: number): void {
    write(this.fd, out, off, out.length - off, null, (err, n) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          setTimeout(() => this.writeAll(out, off), 5);
          return;
        }
        this.closed = true;
        this.writing = false;
        const w = this.idle;
        this.idle = [];
        for (const r of w) r();
        this.onBroken(err.message);
        return;
      }
      off += n;
      if (off < out.length) return this.writeAll(out, off);
      this.queued -= out.length;
      this.writing = false;
      this.kick();
    });
  }
}

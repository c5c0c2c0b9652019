/**
 * The one classic pcap (libpcap) writer: the demo capture, the synthetic network of the store's
 * bench and crash tests, and the tests' crafted and flood captures all write through it. Records go
 * through one reused buffer to a sink, so a million frames never sit in memory at once.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export const LINKTYPE_ETHERNET = 1;

export interface PcapOptions {
  /** LINKTYPE_* of every record (default Ethernet). */
  linkType?: number;
  bigEndian?: boolean;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  nano?: boolean;
  snaplen?: number;
}

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export class PcapWriter {
  private readonly buf: Buffer;
  private at = 0;
  private lastMs = 1_700_000_000_000;
  private readonly le: boolean;
  readonly nano: boolean;
  private n = 0;

  /** `sink` gets the file in chunks; a chunk is only valid during the call (the buffer is reused). */
  constructor(
    private readonly sink: (chunk: Buffer) => void,
    o: PcapOptions = {},
    bufferSize = 1 << 20,
  ) {
    this.le = !o.bigEndian;
    this.nano = o.nano === true;
    this.buf = Buffer.alloc(Math.max(bufferSize, FILE_HEADER + RECORD_HEADER));
    this.u32(this.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
    this.u16(2, 4);
    this.u16(4, 6);
    this.u32(o.snaplen ?? 262144, 16);
    this.u32(o.linkType ?? LINKTYPE_ETHERNET, 20);
    this.at = FILE_HEADER;
  }

  /** A record stamped `sec` seconds and `frac` micro- (or nano-) seconds. */
  add(data: Uint8Array, sec: number, frac: number, origLen = data.length): this {
    if (this.at + RECORD_HEADER + data.length > this.buf.length) this.flush();
    this.u32(sec, this.at);
    this.u32(frac, this.at + 4);
    this.u32(data.length, this.at + 8);
    this.u32(origLen, this.at + 12);
    this.at += RECORD_HEADER;
    if (data.length > this.buf.length - this.at) {
      // A frame larger than the buffer goes to the sink as it is.
      this.flush();
      this.sink(Buffer.from(data.buffer, data.byteOffset, data.length));
    } else {
      this.buf.set(data, this.at);
      this.at += data.length;
    }
    this.n++;
    return this;
  }

  /** A record stamped in milliseconds since the epoch (default: 1 ms after the last one). */
  addMs(data: Uint8Array, ts?: number, origLen = data.length): this {
    const ms = ts ?? (this.lastMs += 1);
    const sec = Math.floor(ms / 1000);
    const frac = Math.round((ms - sec * 1000) * (this.nano ? 1e6 : 1e3));
    return this.add(data, sec, frac, origLen);
  }

  /** Records written so far. */
  get count(): number {
    return this.n;
  }

  /** Hands what is buffered to the sink. */
  flush(): void {
    if (this.at > 0) this.sink(this.buf.subarray(0, this.at));
    this.at = 0;
  }

  private u32(v: number, off: number): void {
    if (this.le) this.buf.writeUInt32LE(v >>> 0, off);
    else this.buf.writeUInt32BE(v >>> 0, off);
  }
  private u16(v: number, off: number): void {
    if (this.le) this.buf.writeUInt16LE(v, off);
    else this.buf.writeUInt16BE(v, off);
  }
}

/** A whole pcap file in memory: `fill` adds the records. */
export function pcapBytes(o: PcapOptions, fill: (w: PcapWriter) => void): Buffer {
  const parts: Buffer[] = [];
  const w = new PcapWriter((c) => parts.push(Buffer.from(c)), o);
  fill(w);
  w.flush();
  return Buffer.concat(parts);
}

/** Writes a pcap file record by record (constant memory): `fill` adds the records. Returns the record count. */
export function writePcapFile(path: string, o: PcapOptions, fill: (w: PcapWriter) => void): number {
  const fd = openSync(path, 'w');
  try {
    const w = new PcapWriter((c) => writeSync(fd, c), o);
    fill(w);
    w.flush();
    return w.count;
  } finally {
    closeSync(fd);
  }
}

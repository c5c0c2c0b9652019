/** A pcapng writer for tests: sections in either byte order, several interfaces, all packet block kinds. */
export interface NgInterface {
  linkType: number;
  snapLen?: number;
  /** if_tsresol byte (6 = microseconds, 9 = nanoseconds, 0x80|n = 2^-n). */
  tsresol?: number;
  /** if_tsoffset: seconds added to every timestamp, signed 64-bit. */
  tsoffset?: bigint;
  name?: string;
}

export class PcapngWriter {
  private parts: Buffer[] = [];
  private le = true;

  section(littleEndian = true): this {
    this.le = littleEndian;
    const body = Buffer.alloc(16);
    this.w32(body, 0x1a2b3c4d, 0);
    this.w16(body, 1, 4);
    this.w16(body, 0, 6);
    body.writeInt32LE(-1, 8);
    body.writeInt32LE(-1, 12);
    return this.block(0x0a0d0d0a, body);
  }

  iface(i: NgInterface): this {
    const opts: Buffer[] = [];
    if (i.name !== undefined) opts.push(this.opt(2, Buffer.from(i.name)));
    if (i.tsresol !== undefined) opts.push(this.opt(9, Buffer.from([i.tsresol])));
    if (i.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(i.tsoffset);
      else v.writeBigInt64BE(i.tsoffset);
      opts.push(this.opt(14, v));
    }
    if (opts.length) opts.push(this.opt(0, Buffer.alloc(0)));
    const body = Buffer.alloc(8);
    this.w16(body, i.linkType, 0);
    this.w32(body, i.snapLen ?? 0, 4);
    return this.block(1, Buffer.concat([body, ...opts]));
  }

  /** Enhanced packet block; `ticks` in the interface's resolution. */
  epb(ifaceId: number, ticks: bigint, data: Uint8Array, origLen = data.length): this {
    const h = Buffer.alloc(20);
    this.w32(h, ifaceId, 0);
    this.w32(h, Number(ticks >> 32n), 4);
    this.w32(h, Number(ticks & 0xffffffffn), 8);
    this.w32(h, data.length, 12);
    this.w32(h, origLen, 16);
    return this.block(6, Buffer.concat([h, pad(Buffer.from(data))]));
  }

  spb(data: Uint8Array, origLen = data.length): this {
    const h = Buffer.alloc(4);
    this.w32(h, origLen, 0);
    return this.block(3, Buffer.concat([h, pad(Buffer.from(data))]));
  }

  /** Name resolution block with one IPv4 record. */
  nrb(ip: number[], name: string): this {
    const v = Buffer.concat([Buffer.from(ip), Buffer.from(name + '\0')]);
    const rec = Buffer.alloc(4);
    this.w16(rec, 1, 0);
    this.w16(rec, v.length, 2);
    return this.block(4, Buffer.concat([rec, pad(v), Buffer.alloc(4)]));
  }

  /** Interface statistics block with if_dropcount. */
  isb(ifaceId: number, drops: number): this {
    const h = Buffer.alloc(12);
    this.w32(h, ifaceId, 0);
    const v = Buffer.alloc(8);
    this.w32(v, this.le ? drops : 0, 0);
    this.w32(v, this.le ? 0 : drops, 4);
    return this.block(5, Buffer.concat([h, this.opt(5, v), this.opt(0, Buffer.alloc(0))]));
  }

  unknown(type: number, body: Buffer): this {
    return this.block(type, pad(body));
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }

  private block(type: number, body: Buffer): this {
    const len = 12 + body.length;
    const h = Buffer.alloc(8);
    this.w32(h, type, 0);
    this.w32(h, len, 4);
    const t = Buffer.alloc(4);
    this.w32(t, len, 0);
    this.parts.push(h, body, t);
    return this;
  }

  private opt(code: number, v: Buffer): Buffer {
    const h = Buffer.alloc(4);
    this.w16(h, code, 0);
    this.w16(h, v.length, 2);
    return Buffer.concat([h, pad(v)]);
  }

  private w16(b: Buffer, v: number, o: number) {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }
  private w32(b: Buffer, v: number, o: number) {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }
}

function pad(b: Buffer): Buffer {
  const n = (4 - (b.length % 4)) % 4;
  return n ? Buffer.concat([b, Buffer.alloc(n)]) : b;
}

import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface Rec {
  data: Uint8Array;
  ts?: number; // milliseconds since the epoch
  origLen?: number;
}

/** A classic pcap file (microsecond, or nanosecond with `nano`), little- or big-endian. */
export function pcapBytes(
  linkType: number,
  recs: Rec[],
  o: { bigEndian?: boolean; nano?: boolean; snaplen?: number } = {},
): Buffer {
  const le = !o.bigEndian;
  const hdr = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, off: number) =>
    le ? b.writeUInt32LE(v >>> 0, off) : b.writeUInt32BE(v >>> 0, off);
  const w16 = (b: Buffer, v: number, off: number) => (le ? b.writeUInt16LE(v, off) : b.writeUInt16BE(v, off));
  w32(hdr, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(hdr, 2, 4);
  w16(hdr, 4, 6);
  w32(hdr, o.snaplen ?? 262144, 16);
  w32(hdr, linkType, 20);
  const parts: Buffer[] = [hdr];
  let t = 1_700_000_000_000;
  for (const r of recs) {
    const ts = r.ts ?? (t += 1);
    const sec = Math.floor(ts / 1000);
    const frac = o.nano ? Math.round((ts - sec * 1000) * 1e6) : Math.round((ts - sec * 1000) * 1e3);
    const rh = Buffer.alloc(16);
    w32(rh, sec, 0);
    w32(rh, frac, 4);
    w32(rh, r.data.length, 8);
    w32(rh, r.origLen ?? r.data.length, 12);
    parts.push(rh, Buffer.from(r.data));
  }
  return Buffer.concat(parts);
}

export function writePcap(
  path: string,
  linkType: number,
  recs: Rec[],
  o: Parameters<typeof pcapBytes>[2] = {},
): string {
  writeFileSync(path, pcapBytes(linkType, recs, o));
  return path;
}

export function gzip(b: Buffer): Buffer {
  return gzipSync(b);
}

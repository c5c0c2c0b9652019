/** Crafted captures for tests, through the one pcap writer the demo and the store's synthetic network use. */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { pcapBytes as writerBytes, type PcapOptions } from '../../src-main/capture/pcap-writer';

export { PcapWriter, writePcapFile, type PcapOptions } from '../../src-main/capture/pcap-writer';

export interface Rec {
  data: Uint8Array;
  ts?: number; // milliseconds since the epoch
  origLen?: number;
}

/** A classic pcap file (microsecond, or nanosecond with `nano`), little- or big-endian. */
export function pcapBytes(linkType: number, recs: Rec[], o: Omit<PcapOptions, 'linkType'> = {}): Buffer {
  return writerBytes({ ...o, linkType }, (w) => {
    for (const r of recs) w.addMs(r.data, r.ts, r.origLen);
  });
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

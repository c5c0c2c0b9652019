import { writePcapFile } from '../capture/pcap-writer';

/**
 * A synthetic network for benchmarks and crash tests: `devices` hosts (locally administered MACs,
 * 10.x.y.z addresses) and `edges` distinct conversations between them, one UDP frame per
 * conversation. The first `devices` frames are sent one by each host, so every device appears
 * early; later frames only add edges. Deterministic.
 */
export interface SyntheticOptions {
  devices: number;
  edges: number;
  /** Capture time of the first frame (ms since the epoch). */
  start?: number;
  /** Capture time between frames (ms). */
  stepMs?: number;
}

export const ETHERNET = 1;
const FRAME_LEN = 14 + 20 + 8 + 4;

export function syntheticFrameCount(o: SyntheticOptions): number {
  return Math.max(o.edges, o.devices);
}

/** Calls `sink` for frames [from, to) of the synthetic network. The buffer is reused: copy to keep it. */
export function feedSynthetic(
  o: SyntheticOptions,
  sink: (frame: Uint8Array, ts: number) => void,
  from = 0,
  to = syntheticFrameCount(o),
): void {
  const n = Math.max(2, o.devices);
  const offsets = offsetsFor(n, Math.ceil(syntheticFrameCount(o) / n));
  const start = o.start ?? 1_700_000_000_000;
  const step = o.stepMs ?? 1;
  const f = new Uint8Array(FRAME_LEN);
  f.set([0x08, 0x00], 12);
  f.set([0x45, 0, 0, 32, 0, 1, 0x40, 0, 64, 17, 0, 0], 14);
  f.set([0x30, 0x39, 0x00, 0x35, 0, 12, 0, 0, 0x67, 0x70, 0x61, 0x6e], 34);
  for (let i = from; i < to; i++) {
    const src = i % n;
    const k = Math.floor(i / n);
    const dst = (src + offsets[k]!) % n;
    writeMac(f, 0, dst);
    writeMac(f, 6, src);
    writeIp(f, 26, src);
    writeIp(f, 30, dst);
    sink(f, start + i * step);
  }
}

/** The same frames as a classic pcap file, written in pieces (constant memory). Returns the frame count. */
export function writeSyntheticPcap(path: string, o: SyntheticOptions): number {
  return writePcapFile(path, { linkType: ETHERNET, snaplen: 65535 }, (w) =>
    feedSynthetic(o, (frame, ts) => w.addMs(frame, ts)),
  );
}

/** Distinct offsets below n/2, so that (s, s + offset) never names a pair twice, in either direction. */
function offsetsFor(n: number, count: number): number[] {
  const half = Math.max(1, Math.floor((n - 1) / 2));
  if (count > half) throw new RangeError(`${count} edges per device need more than ${n} devices`);
  const out: number[] = [];
  const used = new Set<number>();
  let x = 12345;
  while (out.length < count) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const off = 1 + (x % half);
    if (!used.has(off)) {
      used.add(off);
      out.push(off);
    }
  }
  return out;
}

/** 02:00:<32-bit index>: locally administered, unicast. */
function writeMac(f: Uint8Array, o: number, i: number): void {
  f[o] = 0x02;
  f[o + 1] = 0x00;
  f[o + 2] = (i >>> 24) & 0xff;
  f[o + 3] = (i >>> 16) & 0xff;
  f[o + 4] = (i >>> 8) & 0xff;
  f[o + 5] = i & 0xff;
}

/** 10.a.b.c with c in 1..250: never a network or broadcast address. */
function writeIp(f: Uint8Array, o: number, i: number): void {
  f[o] = 10;
  f[o + 1] = Math.floor(i / 62500) & 0xff;
  f[o + 2] = Math.floor(i / 250) % 250;
  f[o + 3] = 1 + (i % 250);
}

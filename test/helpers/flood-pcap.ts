/**
 * Hostile floods as classic pcap files, written record by record (a million frames never sit in
 * memory at once): random source MACs, random IPv6 sources behind one router MAC, random TCP SYNs.
 * Seeded, so every run writes the same bytes. Write them to a temporary folder; never commit them.
 */
import { writePcapFile, type PcapWriter } from './pcap-writer';
import { Rng } from './random';
import { checksum, macBytes } from '../../src-main/demo/bytes';

export const FLOOD_SERVER_MAC = '02:00:00:00:00:01';
export const FLOOD_ROUTER_MAC = '02:00:00:00:00:fe';

/** Unsigned 32-bit draws from `seed`: identities that never repeat in practice. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.u32();
}

/** Rewrites the checksum of the IPv4 header at `off`. */
function ipv4Checksum(b: Buffer, off: number): void {
  b.writeUInt16BE(0, off + 10);
  b.writeUInt16BE(checksum(b.subarray(off, off + 20)), off + 10);
}

const START_S = 1_700_000_000;

/** The i-th frame of a flood: 10 us apart. */
function stamp(w: PcapWriter, f: Buffer, i: number): void {
  w.add(f, START_S + Math.floor(i / 100_000), (i % 100_000) * 10);
}

/**
 * `n` Ethernet/IPv4/UDP frames of 42 bytes (the macof pattern): each from a new random unicast
 * source MAC and a random 10.0.0.0/8 address, to one server (FLOOD_SERVER_MAC, 10.0.0.1, port 9).
 */
export function writeMacFlood(path: string, n: number, seed = 1): string {
  const r = rng(seed);
  const f = Buffer.alloc(42);
  f.set(macBytes(FLOOD_SERVER_MAC), 0);
  f.writeUInt16BE(0x0800, 12);
  f.set([0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 0, 10, 0, 0, 1], 14);
  f.writeUInt16BE(9, 36);
  f.writeUInt16BE(8, 38);
  writePcapFile(path, {}, (w) => {
    for (let i = 0; i < n; i++) {
      const a = r();
      const b = r();
      // Unicast (group bit clear), locally administered: a random MAC as macof would send.
      f[6] = ((a >>> 24) & 0xfc) | 0x02;
      f.writeUInt32BE(((a << 8) | (b & 0xff)) >>> 0, 7);
      f.writeUInt8((b >>> 8) & 0xff, 11);
      f.writeUInt16BE(i & 0xffff, 18);
      f.writeUInt32BE((0x0a000000 | (r() & 0xffffff)) >>> 0, 26);
      ipv4Checksum(f, 14);
      f.writeUInt16BE(1024 + ((b >>> 16) % 60000), 34);
      stamp(w, f, i);
    }
  });
  return path;
}

/**
 * `n` Ethernet/IPv6/UDP frames of 62 bytes, all from one router MAC (FLOOD_ROUTER_MAC) with a new
 * random source address in 2001:db8::/32 each (random /64s too), to one server (2001:db8::1).
 */
export function writeIpv6Flood(path: string, n: number, seed = 2): string {
  const r = rng(seed);
  const f = Buffer.alloc(62);
  f.set(macBytes(FLOOD_SERVER_MAC), 0);
  f.set(macBytes(FLOOD_ROUTER_MAC), 6);
  f.writeUInt16BE(0x86dd, 12);
  f.writeUInt32BE(0x60000000, 14);
  f.writeUInt16BE(8, 18);
  f[20] = 17;
  f[21] = 64;
  f.writeUInt32BE(0x20010db8, 22);
  f.writeUInt32BE(0x20010db8, 38);
  f[53] = 1;
  f.writeUInt16BE(9, 56);
  f.writeUInt16BE(8, 58);
  writePcapFile(path, {}, (w) => {
    for (let i = 0; i < n; i++) {
      f.writeUInt32BE(r(), 26);
      f.writeUInt32BE(r(), 30);
      f.writeUInt32BE(r(), 34);
      f.writeUInt16BE(1024 + (r() % 60000), 54);
      stamp(w, f, i);
    }
  });
  return path;
}

/**
 * `n` TCP segments (Ethernet/IPv4/TCP) between two MACs, each a new random 5-tuple: random
 * 10.0.0.0/8 source and port, to 10.0.0.1 on `dport` (random when 0). Bare SYNs by default; with a
 * `payload` (the start of an HTTP request, say), SYNs carrying data: what a flood leaves in flow state.
 */
export function writeSynFlood(
  path: string,
  n: number,
  o: { seed?: number; dport?: number; payload?: Uint8Array } = {},
): string {
  const r = rng(o.seed ?? 3);
  const data = o.payload ?? new Uint8Array(0);
  const f = Buffer.alloc(54 + data.length);
  f.set(macBytes(FLOOD_SERVER_MAC), 0);
  f.set(macBytes(FLOOD_ROUTER_MAC), 6);
  f.writeUInt16BE(0x0800, 12);
  f.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 0, 10, 0, 0, 1], 14);
  f.writeUInt16BE(40 + data.length, 16);
  f[46] = 0x50; // data offset 5
  f[47] = 0x02; // SYN
  f.writeUInt16BE(64240, 48);
  f.set(data, 54);
  writePcapFile(path, {}, (w) => {
    for (let i = 0; i < n; i++) {
      f.writeUInt32BE((0x0a000000 | (r() & 0xffffff)) >>> 0, 26);
      ipv4Checksum(f, 14);
      const p = r();
      f.writeUInt16BE(1024 + ((p & 0xffff) % 60000), 34);
      f.writeUInt16BE(o.dport ?? 1 + ((p >>> 16) % 65535), 36);
      f.writeUInt32BE(r(), 38);
      stamp(w, f, i);
    }
  });
  return path;
}

/**
 * Byte builders for the demo capture: Ethernet, IPv4, UDP and TCP written field by field, with real
 * checksums so that tshark shows the frames as clean. Our own code (the test builders live in test/,
 * which src must not import).
 */
export type Bytes = Uint8Array;

export function concat(...parts: (Bytes | number[])[]): Bytes {
  const arrs = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrs) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

export const u8 = (v: number): number[] => [v & 0xff];
export const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
export const u32 = (v: number): number[] => [
  (v >>> 24) & 0xff,
  (v >>> 16) & 0xff,
  (v >>> 8) & 0xff,
  v & 0xff,
];
export const u16le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
export const u32le = (v: number): number[] => [
  v & 0xff,
  (v >>> 8) & 0xff,
  (v >>> 16) & 0xff,
  (v >>> 24) & 0xff,
];

/** One byte per UTF-16 unit, its low 8 bits (Latin-1 as Node writes it). */
export function ascii(s: string): Bytes {
  return Uint8Array.from({ length: s.length }, (_, i) => s.charCodeAt(i) & 0xff);
}

export function macBytes(s: string): number[] {
  return s.split(':').map((x) => parseInt(x, 16));
}

export function ip4Bytes(s: string): number[] {
  return s.split('.').map(Number);
}

/** The Internet checksum (RFC 1071) over a byte array. */
export function checksum(b: Bytes, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (b.length % 2 === 1) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethernet(dst: string, src: string, etherType: number, payload: Bytes): Bytes {
  return concat(macBytes(dst), macBytes(src), u16(etherType), payload);
}

export function ipv4(src: string, dst: string, proto: number, payload: Bytes, id: number, ttl = 64): Bytes {
  const head = concat(
    [0x45, 0],
    u16(20 + payload.length),
    u16(id & 0xffff),
    u16(0x4000),
    [ttl, proto],
    u16(0),
  );
  const full = concat(head, ip4Bytes(src), ip4Bytes(dst));
  const c = checksum(full);
  full[10] = c >>> 8;
  full[11] = c & 0xff;
  return concat(full, payload);
}

function pseudoSum(src: string, dst: string, proto: number, len: number): number {
  const b = concat(ip4Bytes(src), ip4Bytes(dst), [0, proto], u16(len));
  return ~checksum(b) & 0xffff;
}

export function udp(src: string, dst: string, sport: number, dport: number, payload: Bytes): Bytes {
  const seg = concat(u16(sport), u16(dport), u16(8 + payload.length), u16(0), payload);
  const c = checksum(seg, pseudoSum(src, dst, 17, seg.length)) || 0xffff;
  seg[6] = c >>> 8;
  seg[7] = c & 0xff;
  return seg;
}

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface TcpFields {
  seq: number;
  ack: number;
  flags: number;
  window: number;
  options?: number[];
}

export function tcp(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  f: TcpFields,
  payload: Bytes,
): Bytes {
  const opts = f.options ?? [];
  const padded = [...opts, ...Array<number>((4 - (opts.length % 4)) % 4).fill(1)];
  const doff = 5 + padded.length / 4;
  const seg = concat(
    u16(sport),
    u16(dport),
    u32(f.seq >>> 0),
    u32(f.ack >>> 0),
    [doff << 4, f.flags],
    u16(f.window),
    u16(0),
    u16(0),
    padded,
    payload,
  );
  const c = checksum(seg, pseudoSum(src, dst, 6, seg.length));
  seg[16] = c >>> 8;
  seg[17] = c & 0xff;
  return seg;
}

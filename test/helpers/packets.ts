/**
 * Builders for small crafted frames: our own test packets, byte-exact, hostile ones included (any
 * length field can be overridden to lie). Checksums are left zero unless a test needs them.
 */
import {
  ascii,
  concat,
  ethernet,
  ip4Bytes as ip4,
  macBytes as mac,
  u16,
  u32,
  type Bytes,
} from '../../src-main/demo/bytes';

// The byte builders are shared with the demo capture generator (src may not import test/). Ours
// below may lie (any length field can be overridden) and leave checksums zero; the demo's may not.
export { ascii, concat, ethernet, ip4, mac, u16, u32, type Bytes };
export { u16le, u32le } from '../../src-main/demo/bytes';

export function ip6(s: string): number[] {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => u16(parseInt(g, 16)));
}

export function vlanTag(vid: number, innerType: number, payload: Bytes, pcp = 0): Bytes {
  return concat(u16((pcp << 13) | (vid & 0xfff)), u16(innerType), payload);
}

export interface Ipv4Opts {
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  fragOffset?: number; // bytes, multiple of 8
  totalLength?: number; // override to lie
  ihl?: number; // override header length in 32-bit words
  options?: number[];
  tos?: number;
}

export function ipv4(src: string, dst: string, proto: number, payload: Bytes, o: Ipv4Opts = {}): Bytes {
  const opts = o.options ?? [];
  const ihl = o.ihl ?? 5 + Math.ceil(opts.length / 4);
  const optBytes = [...opts, ...Array((4 - (opts.length % 4)) % 4).fill(0)];
  const total = o.totalLength ?? 20 + optBytes.length + payload.length;
  const flags = (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3);
  return concat(
    [0x40 | (ihl & 0xf), o.tos ?? 0],
    u16(total),
    u16(o.id ?? 0x1234),
    u16(flags),
    [o.ttl ?? 64, proto],
    u16(0),
    ip4(src),
    ip4(dst),
    optBytes,
    payload,
  );
}

export function ipv6(src: string, dst: string, nextHeader: number, payload: Bytes, hopLimit = 64): Bytes {
  return concat(u32(0x60000000), u16(payload.length), [nextHeader, hopLimit], ip6(src), ip6(dst), payload);
}

export function udp(sport: number, dport: number, payload: Bytes, lengthOverride?: number): Bytes {
  return concat(u16(sport), u16(dport), u16(lengthOverride ?? 8 + payload.length), u16(0), payload);
}

export interface TcpOpts {
  flags?: number;
  seq?: number;
  ack?: number;
  window?: number;
  options?: number[];
  dataOffset?: number; // override, in 32-bit words
}

export function tcp(sport: number, dport: number, payload: Bytes, o: TcpOpts = {}): Bytes {
  const opts = o.options ?? [];
  const padded = [...opts, ...Array((4 - (opts.length % 4)) % 4).fill(1)];
  const doff = o.dataOffset ?? 5 + padded.length / 4;
  return concat(
    u16(sport),
    u16(dport),
    u32(o.seq ?? 1),
    u32(o.ack ?? 0),
    [(doff & 0xf) << 4, o.flags ?? 0x18],
    u16(o.window ?? 65535),
    u16(0),
    u16(0),
    padded,
    payload,
  );
}

export function arp(op: number, sha: string, spa: string, tha: string, tpa: string): Bytes {
  return concat(u16(1), u16(0x0800), [6, 4], u16(op), mac(sha), ip4(spa), mac(tha), ip4(tpa));
}

/** Ethernet + IPv4 + UDP in one call. */
export function udpFrame(
  a: { mac: string; ip: string; port: number },
  b: { mac: string; ip: string; port: number },
  payload: Bytes,
  ip: Ipv4Opts = {},
): Bytes {
  return ethernet(b.mac, a.mac, 0x0800, ipv4(a.ip, b.ip, 17, udp(a.port, b.port, payload), ip));
}

/** Ethernet + IPv4 + TCP in one call. */
/** Next sequence number per direction, so that frames built one after another read as one stream. */
const nextSeq = new Map<string, number>();

/**
 * A TCP segment in Ethernet/IPv4. Without `seq`, each direction's bytes follow on from the last
 * segment built for it (a real stream: the pipeline does not dissect data it has seen, as with a
 * retransmission); give `seq` to build retransmissions or reordering on purpose.
 */
export function tcpFrame(
  a: { mac: string; ip: string; port: number },
  b: { mac: string; ip: string; port: number },
  payload: Bytes,
  t: TcpOpts = {},
  ip: Ipv4Opts = {},
): Bytes {
  const key = `${a.ip}:${a.port}>${b.ip}:${b.port}`;
  const seq = t.seq ?? nextSeq.get(key) ?? 1;
  const flags = t.flags ?? 0x18;
  nextSeq.set(key, (seq + payload.length + (flags & 0x03 ? 1 : 0)) >>> 0);
  return ethernet(b.mac, a.mac, 0x0800, ipv4(a.ip, b.ip, 6, tcp(a.port, b.port, payload, { ...t, seq }), ip));
}

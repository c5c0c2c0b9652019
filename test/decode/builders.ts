/** Builders for the layer 2-4 headers test/helpers/packets.ts does not cover. */
import { type Bytes, concat, ip4, ip6, mac, u16, u16le, u32, u32le } from '../helpers/packets';

/** 802.3 frame: destination, source, length, then the LLC payload (length computed unless given). */
export function ieee8023(dst: string, src: string, payload: Bytes, lengthOverride?: number): Bytes {
  return concat(mac(dst), mac(src), u16(lengthOverride ?? payload.length), payload);
}

export function llc(dsap: number, ssap: number, control: number, payload: Bytes): Bytes {
  return concat([dsap, ssap, control], payload);
}

export function snap(oui: number, pid: number, payload: Bytes): Bytes {
  return concat([0xaa, 0xaa, 0x03, (oui >>> 16) & 0xff, (oui >>> 8) & 0xff, oui & 0xff], u16(pid), payload);
}

/** Linux cooked v1: packet type, ARPHRD, address length, 8 address bytes, protocol. */
export function sll(
  proto: number,
  payload: Bytes,
  o: { addr?: number[]; hatype?: number; pkttype?: number } = {},
) {
  const addr = o.addr ?? [];
  const padded = [...addr, ...Array(Math.max(0, 8 - addr.length)).fill(0)].slice(0, 8);
  return concat(u16(o.pkttype ?? 0), u16(o.hatype ?? 1), u16(addr.length), padded, u16(proto), payload);
}

/** Linux cooked v2: protocol, reserved, ifindex, ARPHRD, packet type, address length, 8 address bytes. */
export function sll2(
  proto: number,
  payload: Bytes,
  o: { addr?: number[]; hatype?: number; pkttype?: number; ifindex?: number } = {},
) {
  const addr = o.addr ?? [];
  const padded = [...addr, ...Array(Math.max(0, 8 - addr.length)).fill(0)].slice(0, 8);
  return concat(
    u16(proto),
    u16(0),
    u32(o.ifindex ?? 3),
    u16(o.hatype ?? 1),
    [o.pkttype ?? 0, addr.length],
    padded,
    payload,
  );
}

/** BSD loopback header: family in little-endian (a typical x86 NULL capture) or big-endian. */
export function nullHeader(af: number, payload: Bytes, bigEndian = false): Bytes {
  return concat(bigEndian ? u32(af) : u32le(af), payload);
}

export interface GreOpts {
  checksum?: boolean;
  key?: number;
  seq?: number;
  version?: number;
  routing?: boolean;
}

export function gre(proto: number, payload: Bytes, o: GreOpts = {}): Bytes {
  const flags =
    (o.checksum ? 0x8000 : 0) |
    (o.routing ? 0x4000 : 0) |
    (o.key !== undefined ? 0x2000 : 0) |
    (o.seq !== undefined ? 0x1000 : 0) |
    (o.version ?? 0);
  return concat(
    u16(flags),
    u16(proto),
    o.checksum ? u32(0) : [],
    o.key !== undefined ? u32(o.key) : [],
    o.seq !== undefined ? u32(o.seq) : [],
    payload,
  );
}

/** ERSPAN type II header (version 1): VLAN, session id, index. */
export function erspan2(session: number, payload: Bytes, vlan = 0): Bytes {
  return concat(u16((1 << 12) | vlan), u16(session & 0x3ff), u32(0), payload);
}

/** ERSPAN type III header (version 2), frame type `ft`, with the 8-byte platform subheader when `o`. */
export function erspan3(session: number, payload: Bytes, o: { ft?: number; platform?: boolean } = {}): Bytes {
  const ft = o.ft ?? 0;
  return concat(
    u16(2 << 12),
    u16(session & 0x3ff),
    u32(0x01020304),
    u16(0),
    [(ft & 0x1f) << 2, o.platform ? 1 : 0],
    o.platform ? [0x0c, 0, 0, 0, 0, 0, 0, 0] : [],
    payload,
  );
}

export function vxlan(vni: number, payload: Bytes, flags = 0x08): Bytes {
  return concat([flags, 0, 0, 0], [(vni >>> 16) & 0xff, (vni >>> 8) & 0xff, vni & 0xff, 0], payload);
}

/** An IPv6 extension header in the generic format (hop-by-hop, routing, destination options). */
export function ext6(next: number, body: number[] = [0, 0, 0, 0, 0, 0]): number[] {
  return [next, (body.length + 2) / 8 - 1, ...body];
}

export function frag6(next: number, offset: number, more: boolean, id: number): number[] {
  return [next, 0, ...u16((offset & 0xfff8) | (more ? 1 : 0)), ...u32(id)];
}

/** IPv6 with extension headers: `chain` is their bytes, `first` the fixed header's next header. */
export function ipv6Ext(src: string, dst: string, first: number, chain: number[], payload: Bytes, hop = 64) {
  return concat(
    u32(0x60000000),
    u16(chain.length + payload.length),
    [first, hop],
    ip6(src),
    ip6(dst),
    chain,
    payload,
  );
}

/** ICMPv6 message with ND options (each `[type, ...bytes]`, padded to 8-byte units). */
export function icmp6(type: number, code: number, body: number[], options: number[][] = []): Bytes {
  const opts = options.flatMap((op) => {
    const [t, ...data] = op;
    const total = Math.ceil((data.length + 2) / 8) * 8;
    return [t!, total / 8, ...data, ...Array(total - data.length - 2).fill(0)];
  });
  return concat([type, code, 0, 0], body, opts);
}

/** Teredo (RFC 4380) headers before the IPv6 packet: authentication and/or origin indication. */
export function teredo(
  payload: Bytes,
  o: { auth?: { id: number[]; value: number[] }; origin?: { port: number; ip: string } } = {},
): Bytes {
  const auth =
    o.auth === undefined
      ? []
      : concat(
          u16(1),
          [o.auth.id.length, o.auth.value.length],
          o.auth.id,
          o.auth.value,
          new Array(9).fill(0),
        );
  // Origin port and address are sent obfuscated (every bit inverted).
  const origin =
    o.origin === undefined
      ? []
      : concat(
          u16(0),
          u16(~o.origin.port & 0xffff),
          ip4(o.origin.ip).map((b) => ~b & 0xff),
        );
  return concat(auth, origin, payload);
}

/** AYIYA: identity of 2^idLog2 bytes, signature of sigWords*4 bytes, opcode 1 (forward) by default. */
export function ayiya(
  nextHeader: number,
  payload: Bytes,
  o: { idLog2?: number; sigWords?: number; opcode?: number } = {},
): Bytes {
  const idLog2 = o.idLog2 ?? 4;
  const sig = o.sigWords ?? 5;
  return concat(
    [(idLog2 << 4) | 1, (sig << 4) | 2, (2 << 4) | (o.opcode ?? 1), nextHeader],
    u32(1700000000),
    new Array(1 << idLog2).fill(0x11),
    new Array(sig * 4).fill(0x22),
    payload,
  );
}

/** GTP-U: version 1, PT set; extension headers given as [type, content] (content padded by the caller). */
export function gtpu(
  payload: Bytes,
  o: { type?: number; teid?: number; seq?: number; ext?: [number, number[]][] } = {},
): Bytes {
  const ext = o.ext ?? [];
  const optional = o.seq !== undefined || ext.length > 0;
  let exts: Bytes = new Uint8Array(0);
  for (let i = 0; i < ext.length; i++) {
    const [, content] = ext[i]!;
    const nextType = i + 1 < ext.length ? ext[i + 1]![0] : 0;
    const len = (content.length + 2) / 4;
    exts = concat(exts, [len], content, [nextType]);
  }
  const body = concat(
    optional ? concat(u16(o.seq ?? 0), [0, ext.length > 0 ? ext[0]![0] : 0]) : [],
    exts,
    payload,
  );
  const flags = 0x30 | (ext.length > 0 ? 0x04 : 0) | (o.seq !== undefined ? 0x02 : 0);
  return concat([flags, o.type ?? 255], u16(body.length), u32(o.teid ?? 0x1234), body);
}

/**
 * NFLOG (LINKTYPE_NFLOG) record: family, version, resource id, then TLVs ([type, value]) whose length
 * and type are in the capturing host's byte order (little-endian by default), padded to 4 bytes.
 */
export function nflog(
  family: number,
  tlvs: [number, Bytes | number[]][],
  o: { bigEndian?: boolean } = {},
): Bytes {
  const parts: (Bytes | number[])[] = [[family, 0], u16(7)];
  for (const [type, value] of tlvs) {
    const len = 4 + value.length;
    parts.push(o.bigEndian ? concat(u16(len), u16(type)) : concat(u16le(len), u16le(type)), value);
    parts.push(new Array((4 - (len % 4)) % 4).fill(0));
  }
  return concat(...parts);
}

/** NFULA_HWADDR value: big-endian address length, 2 bytes pad, 8 address bytes. */
export function nflogHwaddr(m: string): number[] {
  return [0, 6, 0, 0, ...mac(m), 0, 0];
}

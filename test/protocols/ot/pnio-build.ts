import { ascii, concat, u16, u32, type Bytes } from '../../helpers/packets';
import { u16le as u16l, u32le as u32l } from '../../helpers/packets';

/**
 * Builders for PROFINET IO CM Connect (IEC 61158-6-10) in connectionless DCE/RPC, little-endian data
 * representation as controllers send it; blocks big-endian. Shared by the PNIO CM tests.
 */

/** A UUID's 16 bytes, big-endian (as PNIO blocks carry it) or with fields 1-3 little-endian (the RPC header). */
export function uuid(s: string, le: boolean): Bytes {
  const b = Uint8Array.from(Buffer.from(s.replace(/-/g, ''), 'hex'));
  if (!le) return b;
  return concat([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!], b.subarray(8));
}

/** The PNIO object UUID of a device or controller: DEA00000-6C97-11D1-8271-<instance><device><vendor>. */
export function pnioObject(vendor: number, device: number, instance = 1): string {
  const h = (v: number) => v.toString(16).padStart(4, '0');
  return `dea00000-6c97-11d1-8271-${h(instance)}${h(device)}${h(vendor)}`;
}

export const IFACE_DEVICE = 'dea00001-6c97-11d1-8271-00a02442df7d';
const ACTIVITY = '5a5a5a5a-1111-2222-3333-444455556666';
const AR_UUID = 'a1a2a3a4-b1b2-c1c2-d1d2-e1e2e3e4e5e6';

/** A block: type, length (from the version on), version 1.0, body. */
export function block(type: number, body: Bytes): Bytes {
  return concat(u16(type), u16(body.length + 2), [1, 0], body);
}

/** ARBlockReq naming the controller: its object UUID and station name. */
export function arBlockReq(object: string, station: string): Bytes {
  const name = ascii(station);
  return block(
    0x0101,
    concat(
      u16(1),
      uuid(AR_UUID, false),
      u16(1),
      [0x02, 0, 0, 0, 0, 0x01],
      uuid(object, false),
      u32(0x00000011),
      u16(100),
      u16(0x8892),
      u16(name.length),
      name,
    ),
  );
}

/** ExpectedSubmoduleBlockReq for one slot: its module ident and submodules (input+output when `io`). */
export function expectedSubmodule(
  slot: number,
  module: number,
  subs: { subslot: number; ident: number; io: boolean }[],
): Bytes {
  const sub = subs.map((s) =>
    concat(
      u16(s.subslot),
      u32(s.ident),
      u16(s.io ? 3 : 0),
      s.io ? concat(u16(1), u16(8), [1, 1], u16(2), u16(4), [1, 1]) : concat(u16(1), u16(0), [1, 1]),
    ),
  );
  return block(0x0104, concat(u16(1), u32(0), u16(slot), u32(module), u16(0), u16(subs.length), ...sub));
}

/** ARBlockRes and ARServerBlock naming the device's station (padded to 4 bytes). */
export function connectResBlocks(station: string): Bytes {
  const name = ascii(station);
  const pad = (4 - ((2 + name.length) % 4)) % 4;
  return concat(
    block(0x8101, concat(u16(1), uuid(AR_UUID, false), u16(1), [0x02, 0, 0, 0, 0, 0x02], u16(0x8892))),
    block(0x8106, concat(u16(name.length), name, new Uint8Array(pad))),
  );
}

/** Where a PDU sits in its call: flags1, fragment number, sequence number and activity. */
export interface RpcCall {
  flags1?: number;
  fragNum?: number;
  seq?: number;
  activity?: string;
}

/** The NDR arguments before a Connect's blocks: request (ArgsMaximum...) or response (PNIOStatus...). */
function ndrArgs(ptype: number, blocks: Bytes, le: boolean): Bytes {
  const u32le = le ? u32l : u32;
  return ptype === 0
    ? concat(
        u32le(blocks.length + 64),
        u32le(blocks.length),
        u32le(blocks.length + 64),
        u32le(0),
        u32le(blocks.length),
      )
    : concat([0, 0, 0, 0], u32le(blocks.length), u32le(blocks.length), u32le(0), u32le(blocks.length));
}

/** The 80-byte CL RPC header (C706 12.5.3.1) on the PNIO device interface, before `bodyLength` bytes. */
function rpcHeader(
  ptype: number,
  object: string,
  bodyLength: number,
  opnum: number,
  le: boolean,
  c: RpcCall,
): Bytes {
  const u32le = le ? u32l : u32;
  const u16le = le ? u16l : u16;
  return concat(
    [4, ptype, c.flags1 ?? 0x20, 0, le ? 0x10 : 0x00, 0, 0, 0],
    uuid(object, le),
    uuid(IFACE_DEVICE, le),
    uuid(c.activity ?? ACTIVITY, le),
    u32le(0),
    u32le(1),
    u32le(c.seq ?? 7),
    u16le(opnum),
    u16le(0xffff),
    u16le(0xffff),
    u16le(bodyLength),
    u16le(c.fragNum ?? 0),
    [0, 0],
  );
}

/**
 * A connectionless RPC PDU (C706 12.5.3.1) on the PNIO device interface: `ptype` 0 request or 2
 * response, opnum 0 (Connect) by default, with the NDR arguments around `blocks`; big-endian data
 * representation unless `le`.
 */
export function pnioRpc(
  ptype: number,
  object: string,
  blocks: Bytes,
  opnum = 0,
  le = true,
  call: RpcCall = {},
): Bytes {
  const body = concat(ndrArgs(ptype, blocks, le), blocks);
  return concat(rpcHeader(ptype, object, body.length, opnum, le, call), body);
}

/** The flags1 bits of a fragmented call (C706 12.5.3.1): a fragment, the last one. */
export const PFL_FRAG = 0x04;
export const PFL_LAST_FRAG = 0x02;

/**
 * A Connect (opnum 0) whose body (NDR arguments and blocks) is cut into fragments of at most `size`
 * bytes, each its own PDU with fragnum 0.. and the frag flag, the last also lastfrag, as a sender does
 * for a body larger than its datagrams.
 */
export function pnioRpcFragments(
  ptype: number,
  object: string,
  blocks: Bytes,
  size: number,
  call: Omit<RpcCall, 'flags1' | 'fragNum'> = {},
  le = true,
): Bytes[] {
  const body = concat(ndrArgs(ptype, blocks, le), blocks);
  const out: Bytes[] = [];
  for (let at = 0, n = 0; at < body.length; at += size, n++) {
    const part = body.subarray(at, at + size);
    const last = at + size >= body.length;
    const flags1 = 0x20 | PFL_FRAG | (last ? PFL_LAST_FRAG : 0);
    out.push(concat(rpcHeader(ptype, object, part.length, 0, le, { ...call, flags1, fragNum: n }), part));
  }
  return out;
}

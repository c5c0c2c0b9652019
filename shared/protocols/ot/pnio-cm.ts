import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, Vocabulary } from '../contract';
import type { End } from '../common/refs';
import { Emitter } from '../common/emit';
import { hex } from '../common/hex';
import { profinetVendorName } from './registries';
import { ClFragments } from './rpc-cl-fragments';

/**
 * PROFINET IO context management (IEC 61158-6-10, PNIO CM): connectionless DCE/RPC (C706 chapter
 * 12.5) over UDP 34964. Every request and response names the device by its RPC object UUID. Of the
 * calls' bodies only Connect is read: the request names the IO controller (its station name
 * and PNIO object UUID in the ARBlockReq) and the modules it expects in the device's slots; the
 * response names the device's station (ARServerBlock). A Connect too big for one datagram comes as
 * several fragments: it is read once they are all in (rpc-cl-fragments.ts), never in part. PNIO object UUIDs are
 * DEA00000-6C97-11D1-8271-<instance><device id><vendor id>. Blocks are
 * big-endian; the RPC header and NDR counts follow the sender's data representation.
 */
const em = new Emitter<typeof PNIO_CM_VOCABULARY>('pn_io');

const RPC_HEADER = 80;
const PT_REQUEST = 0;
const PT_RESPONSE = 2;
const OP_CONNECT = 0;
/** flags1: the PDU is one fragment of a call; the last one. */
const FLAG_FRAG = 0x04;
const FLAG_LAST_FRAG = 0x02;
/** NDR around the blocks: ArgsMaximum or PNIOStatus, ArgsLength, MaximumCount, Offset, ActualCount. */
const NDR_ARGS = 20;

const BLOCK_AR_REQ = 0x0101;
const BLOCK_EXPECTED_SUBMODULE = 0x0104;
const BLOCK_AR_SERVER = 0x8106;

const MAX_BLOCKS = 64;
/** Modules stated per Connect at most (a rack rarely has more slots; the rest is not kept). */
export const MAX_MODULES = 32;
const MAX_APIS = 16;
const MAX_SUBMODULES = 256;

/**
 * Whether the 16 bytes at `o` are a PNIO UUID DEA0000<k>-6C97-11D1-8271-... with k in [first, last]
 * (0: an object; 1-4: the IO device, controller, supervisor and parameter server interfaces); `le`:
 * fields 1-3 little-endian.
 */
function pnioUuid(w: ByteWindow, o: number, le: boolean, first = 0, last = 0): boolean {
  const t = (le ? w.u32le(o) : w.u32(o)) - 0xdea00000;
  const m = le ? w.u16le(o + 4) : w.u16(o + 4);
  const h = le ? w.u16le(o + 6) : w.u16(o + 6);
  return (
    t >= first && t <= last && m === 0x6c97 && h === 0x11d1 && w.u8(o + 8) === 0x82 && w.u8(o + 9) === 0x71
  );
}

/** Vendor id, device id and instance from a PNIO object UUID at `o`, about `end`. */
function objectUuid(
  w: ByteWindow,
  o: number,
  p: Packet,
  ctx: AppContext,
  end: End,
  field: 'ObjectUUID' | 'Connect.CMInitiatorObjectUUID',
): void {
  const vendor = w.u16(o + 14);
  em.identity(ctx, p, { end, field: `${field}.vendor` as const, attr: 'vendor-id', value: hex(vendor, 4) });
  const name = profinetVendorName(vendor);
  if (name !== null)
    em.identity(ctx, p, { end, field: `${field}.vendor` as const, attr: 'vendor', value: name });
  em.identity(ctx, p, {
    end,
    field: `${field}.device` as const,
    attr: 'product-code',
    value: hex(w.u16(o + 12), 4),
  });
  em.identity(ctx, p, {
    end,
    field: `${field}.instance` as const,
    attr: 'instance',
    value: w.u8(o + 10) + '.' + w.u8(o + 11),
  });
}

function stationName(
  w: ByteWindow,
  o: number,
  len: number,
  p: Packet,
  ctx: AppContext,
  end: End,
  field: 'Connect.CMInitiatorStationName' | 'Connect.CMResponderStationName',
): void {
  if (len > 0 && w.has(o, len))
    em.identity(ctx, p, { end, field, attr: 'station-name', value: w.ascii(o, len, 240) });
}

/**
 * ExpectedSubmoduleBlockReq at `o` (its body `end` bytes on): the module ident number per slot, about
 * the device the controller connects to. Walks the submodules only to find the next API.
 */
function expectedSubmodules(
  w: ByteWindow,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  left: number,
): number {
  const apis = w.u16(o + 6);
  let q = o + 8;
  for (let a = 0; a < apis && a < MAX_APIS && q + 14 <= end; a++) {
    const slot = w.u16(q + 4);
    const ident = w.u32(q + 6);
    const subs = w.u16(q + 12);
    q += 14;
    if (left > 0) {
      em.attribute(ctx, p, {
        end: 'dst',
        field: 'Connect.ExpectedSubmodule.ModuleIdentNumber',
        key: 'pn_io.module',
        value: 'slot ' + slot + ': ' + hex(ident, 8),
      });
      left--;
    }
    for (let s = 0; s < subs && s < MAX_SUBMODULES && q + 8 <= end; s++) {
      // Subslot, submodule ident, properties; then one DataDescription (6 bytes), two for input+output.
      const type = w.u16(q + 6) & 0x03;
      q += 8 + (type === 3 ? 12 : 6);
    }
  }
  return left;
}

/** The flow's Connect calls split over several fragments (UDP flows carry no DCP or RT state). */
interface CmFlow {
  frags: ClFragments;
}
const newFlow = (): CmFlow => ({ frags: new ClFragments() });

/** One datagram on UDP 34964; false when it is no PNIO connectionless RPC. */
export function dissectPnioCm(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  if (w.length < RPC_HEADER || w.u8(0) !== 4) return false;
  const ptype = w.u8(1);
  const d0 = w.u8(4);
  if (ptype > 10 || (d0 & 0xee) !== 0 || w.u8(5) > 3) return false;
  const le = (d0 & 0x10) !== 0;
  if (!pnioUuid(w, 24, le, 1, 4)) return false; // the interface: IO device, controller, supervisor, server
  if (ptype !== PT_REQUEST && ptype !== PT_RESPONSE) return true;
  const request = ptype === PT_REQUEST;
  const device: End = request ? 'dst' : 'src';
  if (pnioUuid(w, 8, le)) objectUuid(w, 8, p, ctx, device, 'ObjectUUID');
  const opnum = le ? w.u16le(68) : w.u16(68);
  const fragNum = le ? w.u16le(76) : w.u16(76);
  if (opnum !== OP_CONNECT) return true;
  const flags1 = w.u8(2);
  const bodyLen = le ? w.u16le(74) : w.u16(74);
  if (fragNum === 0) role(p, ctx, request);
  if ((flags1 & FLAG_FRAG) === 0) {
    if (fragNum === 0) connect(w, RPC_HEADER, Math.min(w.length, RPC_HEADER + bodyLen), le, request, p, ctx);
    return true;
  }
  if (!w.has(RPC_HEADER, bodyLen)) {
    // A body that says it is longer than its datagram: the call cannot be put together.
    p.markMalformed('profinet: RPC fragment body beyond its datagram');
    return true;
  }
  const call = `${ptype}:${w.u32(40)}:${w.u32(44)}:${w.u32(48)}:${w.u32(52)}:${w.u32(64)}`;
  const body = ctx
    .flowState(p, 'profinet', newFlow)
    .frags.add(call, fragNum, (flags1 & FLAG_LAST_FRAG) !== 0, w, RPC_HEADER, bodyLen, p.ts);
  if (body === null) return true;
  const bw = new ByteWindow().reset(body, 0, body.length);
  // Fragments that only claim to be all (a lastfrag flag too early): the blocks' count says more.
  if (NDR_ARGS + (le ? bw.u32le(16) : bw.u32(16)) <= body.length)
    connect(bw, 0, body.length, le, request, p, ctx);
  return true;
}

function role(p: Packet, ctx: AppContext, request: boolean): void {
  em.role(ctx, p, {
    end: 'src',
    field: 'Connect',
    role: request ? 'profinet-io-controller' : 'profinet-io-device',
  });
}

/**
 * A Connect request's or response's body, `w[o, bodyEnd)`: the NDR arguments (counts in the sender's
 * data representation, `le`), then the blocks.
 */
function connect(
  w: ByteWindow,
  o: number,
  bodyEnd: number,
  le: boolean,
  request: boolean,
  p: Packet,
  ctx: AppContext,
): void {
  const count = le ? w.u32le(o + 16) : w.u32(o + 16);
  const end = Math.min(bodyEnd, o + NDR_ARGS + count);
  o += NDR_ARGS;
  let modules = MAX_MODULES;
  for (let i = 0; i < MAX_BLOCKS && o + 6 <= end; i++) {
    const type = w.u16(o);
    const next = o + 4 + w.u16(o + 2);
    if (next > end || next < o + 6) break;
    if (type === BLOCK_AR_REQ && request && next >= o + 58) {
      if (pnioUuid(w, o + 32, false)) objectUuid(w, o + 32, p, ctx, 'src', 'Connect.CMInitiatorObjectUUID');
      stationName(
        w,
        o + 58,
        Math.min(w.u16(o + 56), next - o - 58),
        p,
        ctx,
        'src',
        'Connect.CMInitiatorStationName',
      );
    } else if (type === BLOCK_AR_SERVER && !request && next >= o + 8) {
      stationName(
        w,
        o + 8,
        Math.min(w.u16(o + 6), next - o - 8),
        p,
        ctx,
        'src',
        'Connect.CMResponderStationName',
      );
    } else if (type === BLOCK_EXPECTED_SUBMODULE && request && next >= o + 8) {
      modules = expectedSubmodules(w, o, next, p, ctx, modules);
    }
    o = next;
  }
}

/** What PNIO CM observations can carry: rules are checked against it. */
export const PNIO_CM_VOCABULARY = {
  fields: [
    'Connect',
    'Connect.CMInitiatorObjectUUID.device',
    'Connect.CMInitiatorObjectUUID.instance',
    'Connect.CMInitiatorObjectUUID.vendor',
    'Connect.CMInitiatorStationName',
    'Connect.CMResponderStationName',
    'Connect.ExpectedSubmodule.ModuleIdentNumber',
    'ObjectUUID.device',
    'ObjectUUID.instance',
    'ObjectUUID.vendor',
  ],
  keys: {
    attribute: ['pn_io.module'],
    identity: ['instance', 'product-code', 'station-name', 'vendor', 'vendor-id'],
    role: ['profinet-io-controller', 'profinet-io-device'],
  },
} as const satisfies Vocabulary;

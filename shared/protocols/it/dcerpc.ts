import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol } from '../contract';
import { PDU_LOST, PDU_READ, PDU_SKIP, PduDirections, type PduFraming } from './pdu-stream';
import { Emitter } from '../common/emit';
import { scanNtlmssp, withNtlmssp } from './ntlmssp';

const em = new Emitter<typeof VOCABULARY>('dcerpc');

/**
 * Connection-oriented DCE/RPC (C706 chapter 12, MS-RPCE 2.2.2) over TCP: the endpoint mapper (135),
 * RPC over HTTP (593) and the dynamic ports services listen on, found by their header. Only the
 * authentication handshake is read: bind, bind_ack, alter_context, alter_context_resp and auth3
 * carrying an NTLMSSP (auth type 10) or SPNEGO (9) verifier, whose NTLMSSP message names the client
 * or server like SMB's session setup does. Requests and responses (the calls' data) are stepped over
 * by their fragment length without a copy.
 */
const PT_BIND = 11;
const PT_BIND_ACK = 12;
const PT_ALTER_CONTEXT = 14;
const PT_ALTER_CONTEXT_RESP = 15;
const PT_AUTH3 = 16;
const AUTH_SPNEGO = 9;
const AUTH_NTLMSSP = 10;
const PFC_FIRST_FRAG = 0x01;

/** Common header (12.6.3.1) and the sec_trailer before an auth verifier (13.2.6.1). */
const HEADER = 16;
const SEC_TRAILER = 8;
/** Handshake PDUs read whole up to this size; a longer one (never seen for NTLM) is stepped over. */
const CAP = 16 << 10;

/** Packet types of the connection-oriented protocol: request, response, fault, bind ... orphaned. */
function coType(t: number): boolean {
  return t === 0 || t === 2 || t === 3 || (t >= PT_BIND && t <= 19);
}

function handshake(t: number): boolean {
  return (
    t === PT_BIND ||
    t === PT_BIND_ACK ||
    t === PT_ALTER_CONTEXT ||
    t === PT_ALTER_CONTEXT_RESP ||
    t === PT_AUTH3
  );
}

/** The data representation says the integers' byte order (4th byte: 0x10 little-endian, 0x00 big). */
function little(w: ByteWindow, o: number): boolean {
  return (w.u8(o + 4) & 0xf0) === 0x10;
}

function u16(w: ByteWindow, o: number, le: boolean): number {
  return le ? w.u16le(o) : w.u16(o);
}

/**
 * Fragment length of a version 5.0/5.1 header at `o` (its first 10 bytes checked), or -1. The data
 * representation must be one C706 defines (integer and character formats 0/1, float 0-3, two zero
 * bytes), which few other protocols' first bytes are.
 */
function fragLength(w: ByteWindow, o: number): number {
  if (w.u8(o) !== 5 || w.u8(o + 1) > 1 || !coType(w.u8(o + 2))) return -1;
  const d0 = w.u8(o + 4);
  if ((d0 & 0xee) !== 0 || w.u8(o + 5) > 3 || w.u8(o + 6) !== 0 || w.u8(o + 7) !== 0) return -1;
  const len = u16(w, o + 8, little(w, o));
  return len < HEADER ? -1 : len;
}

/** Auth length of the PDU at `o` of `len` bytes, or -1 when the verifier cannot fit. */
function authLength(w: ByteWindow, o: number, len: number): number {
  const a = u16(w, o + 10, little(w, o));
  if (a === 0) return 0;
  return HEADER + SEC_TRAILER + a <= len ? a : -1;
}

const FRAMING: PduFraming = {
  lenBytes: 10,
  peekBytes: HEADER,
  cap: CAP,
  length: fragLength,
  check(w, o, len) {
    if (len < HEADER) return PDU_LOST;
    const a = authLength(w, o, len);
    if (a < 0) return PDU_LOST;
    return a > 0 && handshake(w.u8(o + 2)) && len <= CAP ? PDU_READ : PDU_SKIP;
  },
};

const verifier = new ByteWindow();

/** A whole handshake PDU with an auth verifier: its NTLMSSP message, if it carries one. */
function readPdu(w: ByteWindow, len: number, p: Packet, ctx: AppContext): void {
  const a = authLength(w, 0, len);
  if (a <= 0) return;
  const trailer = len - a - SEC_TRAILER;
  const type = w.u8(trailer);
  if (type !== AUTH_NTLMSSP && type !== AUTH_SPNEGO) return;
  scanNtlmssp(w.sub(verifier, trailer + SEC_TRAILER, a), p, ctx, em);
}

/**
 * The first payload of a flow on a port nobody claims: a bind or alter_context (the client's opening)
 * or their acknowledgements, as a first fragment, with at least one presentation context (bind) or
 * room for the secondary address (bind_ack).
 */
export function dcerpcStart(w: ByteWindow): boolean {
  if (w.length < HEADER + 12) return false;
  const len = fragLength(w, 0);
  if (len < 0 || (w.u8(3) & PFC_FIRST_FRAG) === 0 || authLength(w, 0, len) < 0) return false;
  const t = w.u8(2);
  // Bind and alter_context: header, max frag sizes, assoc group, then n_context_elem (>= 1) and one
  // context element of 44 bytes at least.
  if (t === PT_BIND || t === PT_ALTER_CONTEXT) return len >= HEADER + 12 + 44 && w.u8(HEADER + 8) >= 1;
  if (t === PT_BIND_ACK || t === PT_ALTER_CONTEXT_RESP) return len >= HEADER + 12;
  return false;
}

interface RpcFlow {
  dirs: PduDirections;
}

const newFlow = (): RpcFlow => ({ dirs: new PduDirections(FRAMING) });

export function dissectDcerpc(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  if (p.ipProto !== 6) return false;
  const f = ctx.flowState(p, 'dcerpc', newFlow);
  f.dirs.get(p).feed(w, p, readPdu, ctx, null);
  return f.dirs.starts > 0;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = withNtlmssp({ fields: [] } as const);

export const dcerpc: AppProtocol = {
  name: 'dcerpc',
  group: 'it',
  emits: { dcerpc: VOCABULARY },
  tcpPorts: [135, 593],
  heuristic: (w, p) => p.ipProto === 6 && dcerpcStart(w),
  dissect: dissectDcerpc,
};

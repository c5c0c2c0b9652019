import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { PDU_LOST, PDU_READ, PDU_SKIP, PduDirections, type PduFraming } from './pdu-stream';
import { dstRef, srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('rdp');

/**
 * RDP connection start (MS-RDPBCGR 1.3.1.1), TPKT-framed on TCP 3389:
 * - the client's X.224 Connection Request may carry "Cookie: mstshash=NAME": a user name (the one
 *   typed at the logon prompt, often cut to 9 characters), not the computer's;
 * - the server's Connection Confirm names the security protocol it selected (RDP_NEG_RSP);
 * - with standard RDP security (PROTOCOL_RDP, or no negotiation at all) the client's MCS Connect
 *   Initial follows in clear, and its Client Core Data (TS_UD_CS_CORE) holds the computer name
 *   (clientName, 32 bytes UTF-16LE) and the client build. With TLS or CredSSP it travels encrypted:
 *   only the cookie and the selected protocol are read then, and the flow is left to TLS.
 */
const TPKT_VERSION = 3;
const X224_CR = 0xe0;
const X224_CC = 0xd0;
const X224_DT = 0xf0;
/** BER tag of MCS Connect-Initial ([APPLICATION 101], long form). */
const MCS_CONNECT_INITIAL = 0x7f65;
const TYPE_RDP_NEG_RSP = 2;
const TYPE_RDP_NEG_FAILURE = 3;
const CS_CORE = 0xc001;
/** GCC Conference Create Request: the H.221 non-standard key that precedes the client data blocks. */
const DUCA = 0x44756361;
/** The key sits a few dozen bytes into the Connect-Initial; a longer search is not worth it. */
const MAX_KEY_SEARCH = 512;
const MAX_BLOCKS = 32;
const COOKIE = 'Cookie: mstshash=';

const SECURITY: Record<number, string> = {
  0: 'rdp',
  1: 'tls',
  2: 'credssp',
  4: 'rdstls',
  8: 'credssp-early-user-auth',
  16: 'rdsaad',
};

const TPKT: PduFraming = {
  lenBytes: 4,
  peekBytes: 9,
  // A Connect-Initial is under 1 KiB for most clients; many monitors and channels add a little.
  cap: 8192,
  length(w, o) {
    if (w.u8(o) !== TPKT_VERSION || w.u8(o + 1) !== 0) return -1;
    const len = w.u16(o + 2);
    return len >= 7 ? len : -1;
  },
  check(w, o, len) {
    const li = w.u8(o + 4);
    if (li < 2 || 4 + 1 + li > len) return PDU_LOST;
    const code = w.u8(o + 5) & 0xf0;
    if (code === X224_CR || code === X224_CC) return PDU_READ;
    if (code === X224_DT) return w.has(o, 9) && w.u16(o + 7) === MCS_CONNECT_INITIAL ? PDU_READ : PDU_SKIP;
    return PDU_SKIP;
  },
};

interface RdpFlow {
  dirs: PduDirections;
  /** Client core data was read (once per flow). */
  core: boolean;
}

const newFlow = (): RdpFlow => ({ dirs: new PduDirections(TPKT), core: false });

function utf16z(w: ByteWindow, o: number, n: number): string {
  let s = '';
  for (let i = 0; i + 1 < n; i += 2) {
    const c = w.u16le(o + i);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return cleanText(s, 64);
}

function readPdu(w: ByteWindow, len: number, p: Packet, ctx: AppContext, f: RdpFlow): void {
  const end = len < w.length ? len : w.length;
  const code = w.u8(5) & 0xf0;
  // The X.224 header (length indicator, code, references, class) is 7 bytes; what follows it up to the
  // indicator's end is the variable part (cookie, negotiation request or response).
  const varEnd = Math.min(end, 5 + w.u8(4));
  if (code === X224_CR) connectionRequest(w, 11, varEnd, p, ctx);
  else if (code === X224_CC) connectionConfirm(w, 11, varEnd, p, ctx);
  else if (code === X224_DT && !f.core) f.core = connectInitial(w, 7, end, p, ctx);
}

function connectionRequest(w: ByteWindow, o: number, end: number, p: Packet, ctx: AppContext): void {
  const me = srcRef(p);
  em.role(ctx, p, { device: me, field: 'x224.cr', role: 'rdp-client', peer: dstRef(p) });
  if (end - o <= COOKIE.length || w.ascii(o, COOKIE.length) !== COOKIE) return;
  let e = o + COOKIE.length;
  while (e < end && w.u8(e) !== 0x0d && w.u8(e) !== 0x0a) e++;
  const user = cleanText(w.ascii(o + COOKIE.length, e - o - COOKIE.length, 256), 128);
  if (user !== '') em.attribute(ctx, p, { device: me, field: 'cookie', key: 'rdp-user', value: user });
}

function connectionConfirm(w: ByteWindow, o: number, end: number, p: Packet, ctx: AppContext): void {
  const me = srcRef(p);
  em.role(ctx, p, { device: me, field: 'x224.cc', role: 'rdp-server', peer: dstRef(p) });
  // No negotiation response: an old client or server, standard RDP security.
  let security = 'rdp';
  if (o + 8 <= end) {
    const type = w.u8(o);
    if (type === TYPE_RDP_NEG_FAILURE) return;
    if (type === TYPE_RDP_NEG_RSP) {
      const sel = w.u32le(o + 4);
      security = SECURITY[sel] ?? `0x${sel.toString(16)}`;
    }
  }
  em.attribute(ctx, p, { device: me, field: 'selectedProtocol', key: 'rdp-security', value: security });
}

/** Client data blocks of the Connect-Initial at `o`; true when the core data was read. */
function connectInitial(w: ByteWindow, o: number, end: number, p: Packet, ctx: AppContext): boolean {
  const lim = Math.min(end - 4, o + MAX_KEY_SEARCH);
  let k = o + 2;
  while (k < lim && w.u32(k) !== DUCA) k++;
  if (k >= lim) return false;
  k += 4;
  // PER length: one byte, or two with the top bit set.
  if (!w.has(k, 2)) return false;
  let blocksEnd = w.u8(k);
  if ((blocksEnd & 0x80) !== 0) {
    blocksEnd = ((blocksEnd & 0x3f) << 8) | w.u8(k + 1);
    k += 2;
  } else k += 1;
  blocksEnd = Math.min(end, k + blocksEnd);
  for (let i = 0; i < MAX_BLOCKS && k + 4 <= blocksEnd; i++) {
    const type = w.u16le(k);
    const blen = w.u16le(k + 2);
    if (blen < 4 || k + blen > blocksEnd) return false;
    // clientName ends at byte 56 of the block; clientBuild is at 20.
    if (type === CS_CORE && blen >= 56) {
      const me = srcRef(p);
      const build = w.u32le(k + 20);
      em.attribute(ctx, p, {
        device: me,
        field: 'clientBuild',
        key: 'rdp-client-build',
        value: String(build),
      });
      const name = utf16z(w, k + 24, 32);
      if (name !== '') em.hostname(ctx, p, { device: me, field: 'clientName', name });
      return true;
    }
    k += blen;
  }
  return false;
}

export function dissectRdp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const f = ctx.flowState(p, 'rdp', newFlow);
  const d = f.dirs.get(p);
  const mine = d.collecting || d.skip > 0 || (w.length >= 4 && TPKT.length(w, 0) > 0);
  d.feed(w, p, readPdu, ctx, f);
  // TLS records after the negotiation are not ours: the pipeline offers them to TLS.
  return mine && f.dirs.starts > 0;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['clientBuild', 'clientName', 'cookie', 'selectedProtocol', 'x224.cc', 'x224.cr'],
  keys: {
    attribute: ['rdp-client-build', 'rdp-security', 'rdp-user'],
    role: ['rdp-client', 'rdp-server'],
  },
} as const satisfies Vocabulary;

export const rdp: AppProtocol = {
  name: 'rdp',
  group: 'it',
  emits: { rdp: VOCABULARY },
  tcpPorts: [3389],
  dissect: dissectRdp,
};

import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol } from '../contract';
import { PDU_LOST, PDU_READ, PDU_SKIP, PduDirections, type PduFraming } from './pdu-stream';
import { srcRef } from '../common/refs';
import { productVersion } from './text';
import { cleanText } from '../common/text';
import { Emitter } from '../common/emit';
import { scanNtlmssp, utf16, withNtlmssp } from './ntlmssp';

const em = new Emitter<typeof VOCABULARY>('smb');

/**
 * SMB1/SMB2 over NetBIOS session service or direct TCP (139, 445): NTLMSSP messages carried in
 * session setups (CHALLENGE: the server's NetBIOS and DNS names and Windows version; AUTHENTICATE:
 * the client's workstation, domain and version) and SMB1 Session Setup NativeOS / NativeLanMan.
 * Session setups are collected across TCP segments and read whole; all other messages (file data)
 * are stepped over by their length (see pdu-stream.ts). NTLMSSP itself is read in ntlmssp.ts.
 */
/** A NUL-terminated string at `o`: UTF-16LE aligned to the SMB header (`smb`) when `unicode`. */
function smbString(
  w: ByteWindow,
  smb: number,
  o: number,
  end: number,
  unicode: boolean,
): { s: string; next: number } {
  if (unicode) {
    if ((o - smb) % 2 === 1) o++;
    let e = o;
    while (e + 1 < end && e - o < 512 && w.u16le(e) !== 0) e += 2;
    return { s: utf16(w, o, e - o), next: e + 2 };
  }
  let e = o;
  while (e < end && e - o < 256 && w.u8(e) !== 0) e++;
  return { s: cleanText(w.ascii(o, e - o, 256)), next: e + 1 };
}

function sessionSetup(w: ByteWindow, smb: number, p: Packet, ctx: AppContext): void {
  const flags = w.u8(smb + 9);
  const unicode = (w.u16le(smb + 10) & 0x8000) !== 0;
  const response = (flags & 0x80) !== 0;
  const wct = w.u8(smb + 32);
  const words = smb + 33;
  const bcount = w.u16le(words + wct * 2);
  let b = words + wct * 2 + 2;
  const end = Math.min(b + bcount, w.length);
  let skipStrings = 0;
  if (!response && wct === 12) b += w.u16le(words + 14);
  else if (!response && wct === 13) {
    b += w.u16le(words + 14) + w.u16le(words + 16);
    skipStrings = 2; // account name, primary domain
  } else if (response && wct === 4) b += w.u16le(words + 6);
  else if (!(response && wct === 3)) return;
  let r = { s: '', next: b };
  for (let i = 0; i < skipStrings; i++) r = smbString(w, smb, r.next, end, unicode);
  const os = smbString(w, smb, r.next, end, unicode);
  const lanman = os.next < end ? smbString(w, smb, os.next, end, unicode) : { s: '', next: end };
  const me = srcRef(p);
  if (os.s !== '')
    em.identity(ctx, p, { device: me, field: 'SessionSetup.NativeOS', attr: 'os', value: os.s });
  if (lanman.s !== '')
    em.software(ctx, p, {
      device: me,
      field: 'SessionSetup.NativeLanMan',
      ...productVersion(lanman.s),
      raw: lanman.s,
    });
}

/** SMB2 command SESSION_SETUP; SMB1 command SESSION_SETUP_ANDX. */
const SMB2_SESSION_SETUP = 1;
const SMB1_SESSION_SETUP = 0x73;
const SMB1 = 0xff534d42;
const SMB2 = 0xfe534d42;
/** SMB3 transform (encrypted) and compression headers: framed like the others, never read. */
const SMB2_TRANSFORM = 0xfd534d42;
const SMB2_COMPRESSED = 0xfc534d42;

/**
 * NetBIOS session service framing (1 byte type, 3 bytes length; direct TCP uses the same header with
 * a 24-bit length): session setups are read whole (up to 64 KiB), everything else is stepped over.
 */
const SMB_FRAMING: PduFraming = {
  lenBytes: 4,
  peekBytes: 18,
  cap: 64 << 10,
  length(w, o) {
    const t = w.u8(o);
    if (t !== 0 && (t < 0x81 || t > 0x85)) return -1;
    return 4 + w.u24(o + 1);
  },
  check(w, o, len) {
    const t = w.u8(o);
    // Session request, positive/negative response, retarget, keep-alive: fixed sizes.
    if (t === 0x81) return len >= 8 && len <= 4 + 256 ? PDU_SKIP : PDU_LOST;
    if (t === 0x82 || t === 0x85) return len === 4 ? PDU_SKIP : PDU_LOST;
    if (t === 0x83) return len === 5 ? PDU_SKIP : PDU_LOST;
    if (t === 0x84) return len === 10 ? PDU_SKIP : PDU_LOST;
    if (len < 20) return PDU_LOST;
    const magic = w.u32(o + 4);
    if (magic === SMB1) {
      if (len < 4 + 33) return PDU_LOST;
      return w.u8(o + 8) === SMB1_SESSION_SETUP ? PDU_READ : PDU_SKIP;
    }
    if (magic === SMB2) {
      if (len < 4 + 64) return PDU_LOST;
      return w.u16le(o + 16) === SMB2_SESSION_SETUP ? PDU_READ : PDU_SKIP;
    }
    return magic === SMB2_TRANSFORM || magic === SMB2_COMPRESSED ? PDU_SKIP : PDU_LOST;
  },
};

/** A whole session setup (from its NetBIOS header; shorter than `len` when capped). */
function readSetup(w: ByteWindow, _len: number, p: Packet, ctx: AppContext): void {
  if (w.u32(4) === SMB1) sessionSetup(w, 4, p, ctx);
  scanNtlmssp(w, p, ctx, em);
  // Learn once: the session is set up. Both ends have said what they say (NTLMSSP's three messages,
  // SMB1's NativeOS and NativeLanMan, the last in this response); the rest is file traffic.
  if (established(w)) ctx.finished(p);
}

/** A session setup response with status 0 (STATUS_SUCCESS); not the 0xc0000016 of a step between. */
function established(w: ByteWindow): boolean {
  const magic = w.u32(4);
  // SMB2: Status at 8, Flags at 16 (SMB2_FLAGS_SERVER_TO_REDIR); SMB1: Status at 5, Flags at 9 (reply).
  if (magic === SMB2) return (w.u32le(4 + 16) & 1) !== 0 && w.u32le(4 + 8) === 0;
  if (magic === SMB1) return (w.u8(4 + 9) & 0x80) !== 0 && w.u32le(4 + 5) === 0;
  return false;
}

interface SmbFlow {
  dirs: PduDirections;
}

const newFlow = (): SmbFlow => ({ dirs: new PduDirections(SMB_FRAMING) });

export function dissectSmb(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const f = ctx.flowState(p, 'smb', newFlow);
  f.dirs.get(p).feed(w, p, readSetup, ctx, null);
  return f.dirs.starts > 0;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = withNtlmssp({
  fields: ['SessionSetup.NativeLanMan', 'SessionSetup.NativeOS'],
  keys: { identity: ['os'] },
} as const);

export const smb: AppProtocol = {
  name: 'smb',
  group: 'it',
  emits: { smb: VOCABULARY },
  tcpPorts: [445, 139],
  dissect: dissectSmb,
};

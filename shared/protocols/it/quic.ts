import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { budgetedBuffer, directionKey } from './stream';
import { gquicPayloadAt, gquicVersionAt, readChlo } from './gquic';
import { emitClientHello, emitServerHello, parseClientHello, parseServerHello } from './tls';
import {
  initialKeys,
  openPacket,
  quicVersion,
  readLongHeader,
  readVarint,
  type InitialKeys,
  type LongHeader,
  type Varint,
} from './quic-initial';

/**
 * QUIC (RFC 9000, v2 RFC 9369, drafts 29-32): the TLS ClientHello and ServerHello carried in CRYPTO
 * frames of Initial packets, whose keys come from the client's first Destination Connection ID.
 * The hellos give the same observations as TLS over TCP (SNI, ALPN, versions, JA3/JA4, JA3S/JA4S)
 * under protocol 'quic', with JA4's transport letter 'q'. Only long-header Initial packets are ever
 * decrypted, and a direction is left alone once its hello is read: 1-RTT traffic costs one byte test.
 * Google QUIC shares the port: its clear-text CHLO (SNI, user agent) is read by gquic.ts.
 */

/** Bytes of CRYPTO stream kept per direction: a ClientHello with a post-quantum key share is ~2 KiB. */
const CRYPTO_CAP = 16384;
/** Distinct received ranges kept per direction before giving up (reordering is rare and small). */
const MAX_RANGES = 16;
/** Coalesced packets read per datagram (RFC 9000 allows several; 4 is what endpoints send). */
const MAX_COALESCED = 8;
/** Frames read per packet. */
const MAX_FRAMES = 64;
/** Initial packets of a flow that may fail to decrypt before the flow is left alone. */
const MAX_FAILURES = 8;

/** One direction's CRYPTO stream at the Initial level, reassembled by offset within CRYPTO_CAP. */
class CryptoStream {
  data = new Uint8Array(0);
  /** Received ranges as sorted, disjoint [start, end) pairs. */
  ranges: number[] = [];

  /** Store `b` at `offset`; false when it cannot be kept (beyond the cap, too fragmented). */
  add(offset: number, b: Uint8Array): boolean {
    const end = offset + b.length;
    if (b.length === 0) return true;
    if (end > CRYPTO_CAP) return false;
    if (this.data.length < end) {
      let size = this.data.length === 0 ? 2048 : this.data.length;
      while (size < end) size *= 2;
      if (size > CRYPTO_CAP) size = CRYPTO_CAP;
      // Charged to the stream budget (stream.ts): Initial keys are public, so anyone can send valid
      // Initials on many flows. Over it, this direction gives up rather than grow.
      const d = budgetedBuffer(size);
      if (d === null) return false;
      d.set(this.data);
      this.data = d;
    }
    // Overlaps carry the same bytes in a conforming stream; later bytes simply overwrite.
    this.data.set(b, offset);
    const r = this.ranges;
    const out: number[] = [];
    let s = offset;
    let e = end;
    let placed = false;
    for (let i = 0; i < r.length; i += 2) {
      const rs = r[i]!;
      const re = r[i + 1]!;
      if (re < s) out.push(rs, re);
      else if (rs > e) {
        if (!placed) out.push(s, e);
        placed = true;
        out.push(rs, re);
      } else {
        s = Math.min(s, rs);
        e = Math.max(e, re);
      }
    }
    if (!placed) out.push(s, e);
    if (out.length > MAX_RANGES * 2) return false;
    this.ranges = out;
    return true;
  }

  /** Bytes available from offset 0 without a hole. */
  contiguous(): number {
    return this.ranges.length > 0 && this.ranges[0] === 0 ? this.ranges[1]! : 0;
  }
}

interface QuicDir {
  crypto: CryptoStream;
  largestPn: number;
  done: boolean;
}

interface Keys {
  version: number;
  dcid: Uint8Array;
  client: InitialKeys;
  server: InitialKeys;
}

interface QuicFlow {
  /** Direction key of the client, once one of its Initials decrypted; -1 before. */
  clientKey: number;
  client: QuicDir;
  server: QuicDir;
  keys: Keys | null;
  failures: number;
}

function newDir(): QuicDir {
  return { crypto: new CryptoStream(), largestPn: -1, done: false };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function keysFor(version: number, dcid: Uint8Array): Keys | null {
  const v = quicVersion(version);
  if (v === null) return null;
  const k = initialKeys(v, dcid);
  return {
    version,
    dcid: dcid.slice(),
    client: k.client,
    server: k.server,
  };
}

const hdr: LongHeader = { version: 0, type: 0, dcidAt: 0, dcidLen: 0, scidLen: 0, pnAt: 0, end: 0 };
const fv: Varint = { value: 0, size: 0 };
const pw = new ByteWindow();
const hw = new ByteWindow();

/**
 * Read the frames of a decrypted Initial payload into the direction's CRYPTO stream. Stops at the
 * first frame type Initial packets may not carry (or we do not know): the rest cannot be framed.
 */
function readFrames(payload: Uint8Array, d: QuicDir): void {
  const w = pw.reset(payload, 0, payload.length);
  let o = 0;
  for (let n = 0; n < MAX_FRAMES && o < w.length; n++) {
    const t = w.u8(o);
    if (t === 0x00) {
      // PADDING: a run of zero bytes.
      while (o < w.length && w.u8(o) === 0) o++;
      continue;
    }
    o++;
    if (t === 0x01) continue; // PING
    if (t === 0x02 || t === 0x03) {
      // ACK: largest, delay, range count, first range, then (gap, length) pairs, then ECN counts.
      const fixed = [0, 0, 0, 0];
      for (let i = 0; i < 4; i++) {
        if (readVarint(w, o, fv).size === 0) return;
        fixed[i] = fv.value;
        o += fv.size;
      }
      const pairs = fixed[2]!;
      // Each pair takes at least two bytes: a count beyond what is left is a lie.
      if (pairs * 2 > w.length - o) return;
      for (let i = 0; i < pairs * 2 + (t === 0x03 ? 3 : 0); i++) {
        if (readVarint(w, o, fv).size === 0) return;
        o += fv.size;
      }
      continue;
    }
    if (t === 0x06) {
      // CRYPTO: offset, length, data.
      if (readVarint(w, o, fv).size === 0) return;
      const offset = fv.value;
      o += fv.size;
      if (readVarint(w, o, fv).size === 0) return;
      const len = fv.value;
      o += fv.size;
      if (!w.has(o, len)) return;
      // Data beyond the cap can never be part of a hello we would read: skip it, keep going.
      if (offset + len <= CRYPTO_CAP && !d.crypto.add(offset, w.bytes(o, len))) d.done = true;
      o += len;
      continue;
    }
    // CONNECTION_CLOSE (0x1c/0x1d) ends the packet's useful content, like anything unknown.
    return;
  }
}

/** When the direction's stream holds a whole hello, parse it and emit; the direction is then done. */
function tryHello(p: Packet, ctx: AppContext, d: QuicDir, isClient: boolean): void {
  const have = d.crypto.contiguous();
  if (have < 4) return;
  const data = d.crypto.data;
  const type = data[0]!;
  const total = 4 + ((data[1]! << 16) | (data[2]! << 8) | data[3]!);
  if (type !== (isClient ? 1 : 2) || total > CRYPTO_CAP) return finish(d);
  if (have < total) return;
  const body = hw.reset(data, 4, total);
  if (isClient) {
    const c = parseClientHello(body);
    if (c !== null) emitClientHello(p, ctx, c, 'quic');
  } else {
    const s = parseServerHello(body);
    if (s !== null) emitServerHello(p, ctx, s, 'quic');
  }
  finish(d);
}

function finish(d: QuicDir): void {
  d.done = true;
  d.crypto = new CryptoStream();
}

/** One Initial packet (header already parsed into `hdr`) from the packet's sender. */
function onInitial(w: ByteWindow, at: number, p: Packet, ctx: AppContext): void {
  const f = ctx.flowState(p, 'quic', newFlow);
  if (f.failures >= MAX_FAILURES || (f.client.done && f.server.done)) return;
  const key = directionKey(p);
  const dcid = w.bytes(hdr.dcidAt, hdr.dcidLen);
  // A packet from port 443 to a high port is the server's; anything else may be the client's.
  const fromServer = f.clientKey >= 0 ? key !== f.clientKey : p.srcPort === 443 && p.dstPort !== 443;
  if (fromServer) {
    const d = f.server;
    if (d.done || f.keys === null) return;
    // The server may answer in another version (compatible version negotiation): same DCID, its salt.
    if (f.keys.version !== hdr.version) {
      const k = keysFor(hdr.version, f.keys.dcid);
      if (k === null) return;
      f.keys = k;
    }
    const r = openPacket(w, at, hdr, f.keys.server, d.largestPn);
    if (r === null) return void f.failures++;
    if (r.pn > d.largestPn) d.largestPn = r.pn;
    readFrames(r.payload, d);
    if (!d.done) tryHello(p, ctx, d, false);
    if (d.done && f.client.done) ctx.finished(p);
    return;
  }
  const d = f.client;
  if (d.done) return;
  let keys = f.keys;
  let r =
    keys !== null && keys.version === hdr.version ? openPacket(w, at, hdr, keys.client, d.largestPn) : null;
  if (r === null && (keys === null || keys.version !== hdr.version || !sameBytes(keys.dcid, dcid))) {
    // The client's first Initial, or a new DCID after a Retry or version change: keys from this DCID.
    if (hdr.dcidLen < 8 && f.clientKey < 0) return void f.failures++;
    keys = keysFor(hdr.version, dcid);
    if (keys === null) return;
    r = openPacket(w, at, hdr, keys.client, d.largestPn);
    if (r !== null) f.keys = keys;
  }
  if (r === null) return void f.failures++;
  f.clientKey = key;
  if (r.pn > d.largestPn) d.largestPn = r.pn;
  readFrames(r.payload, d);
  if (!d.done) tryHello(p, ctx, d, true);
  if (d.done && f.server.done) ctx.finished(p);
}

export function dissectQuic(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  if (w.length === 0) return false;
  const b0 = w.u8(0);
  if ((b0 & 0x80) === 0) {
    // IETF short header (1-RTT, fixed bit set): nothing readable, and nothing to try.
    if ((b0 & 0x40) !== 0) return true;
    // gQUIC's legacy public header: a client packet that names its version may hold the CHLO.
    if ((b0 & 0x01) !== 0) {
      const at = gquicPayloadAt(w);
      if (at >= 0 && gquicVersionAt(w, 9) <= 46) readChlo(w, at, p, ctx);
    }
    return true;
  }
  if (!w.has(0, 5)) return false;
  const gq = gquicVersionAt(w, 1);
  if (gq >= 0) {
    // gQUIC with the IETF-style header (Q046 in clear; Q050 and later encrypted).
    if (gq <= 46 && gquicPayloadAt(w) >= 0) readChlo(w, 6, p, ctx);
    return true;
  }
  // Version negotiation (version 0) and versions we cannot decrypt: QUIC, but nothing to learn.
  if (quicVersion(w.u32(1)) === null) return (b0 & 0x40) !== 0 || w.u32(1) === 0;
  let at = 0;
  for (let n = 0; n < MAX_COALESCED && at < w.length; n++) {
    const h = readLongHeader(w, at, hdr);
    if (h === null) break;
    if (h.type === 0) onInitial(w, at, p, ctx);
    at = h.end;
  }
  return true;
}

/**
 * Other ports: a client's first Initial exactly (long header with the fixed bit, a known version, the
 * Initial type, a DCID of 8-20 bytes, an SCID of at most 20, a datagram padded to 1200 bytes as RFC
 * 9000 section 14.1 requires). A flow it recognises is pinned, so the server's packets follow.
 */
function looksInitial(w: ByteWindow, p: Packet): boolean {
  if (p.ipProto !== 17 || w.length < 1200 || (w.u8(0) & 0xc0) !== 0xc0) return false;
  const v = quicVersion(w.u32(1));
  if (v === null) return false;
  if (((w.u8(0) >> 4) & 3) !== v.initial) return false;
  const dl = w.u8(5);
  return dl >= 8 && dl <= 20 && w.u8(6 + dl) <= 20;
}

/** What QUIC's observations can carry: the TLS hellos inside Initial packets, and gQUIC's CHLO. */
export const QUIC_VOCABULARY = {
  fields: ['alpn', 'client_hello', 'server_hello', 'sni', 'supported_versions'],
  keys: {
    attribute: ['tls-alpn', 'tls-versions'],
    fingerprint: ['ja3', 'ja3s', 'ja4', 'ja4s'],
    role: ['tls-server'],
  },
} as const satisfies Vocabulary;
export const GQUIC_VOCABULARY = { fields: ['SNI', 'UAID'] } as const satisfies Vocabulary;

export const quic: AppProtocol = {
  name: 'quic',
  group: 'it',
  emits: { quic: QUIC_VOCABULARY, gquic: GQUIC_VOCABULARY },
  udpPorts: [443],
  heuristic: looksInitial,
  dissect: dissectQuic,
};

/** A flow's state: a module-level function, so no closure is made per payload. */
function newFlow(): QuicFlow {
  return {
    clientKey: -1,
    client: newDir(),
    server: newDir(),
    keys: null,
    failures: 0,
  };
}

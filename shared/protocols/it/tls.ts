import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { DeviceRef } from '../../model/observation';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { bytesToHex } from '@noble/hashes/utils.js';
import { md5hex, sha12 } from './digest';
import { dstRef, srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { SEG_GAP, SEG_OLD, StreamBuf, TwoDirections, directionKey } from './stream';
import { readCertificate } from './der';
import { Emitter, type FieldOf, type KeyOf } from '../common/emit';
import type { QUIC_VOCABULARY } from './quic';
import { hexDigits } from '../common/hex';
import { FingerprintText } from './fingerprint-text';

const em = new Emitter<typeof VOCABULARY>('tls');
/** The hellos inside QUIC Initial packets are told under quic's name. */
const EM = { tls: em, quic: new Emitter<typeof QUIC_VOCABULARY>('quic') };

/**
 * TLS handshakes: ClientHello (SNI, ALPN, versions, JA3, JA4), ServerHello (JA3S, JA4S) and, up to
 * TLS 1.2, the server's leaf certificate (subject, issuer, SAN DNS names). Records and handshake
 * messages spanning segments are collected per direction within fixed bounds.
 */
const RECORD_CAP = 24576;
const HANDSHAKE_CAP = 32768;
const MAX_RECORD = 16384 + 2048;
const MAX_LIST = 512;

export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** JA4's four-digit hex codes. */
const hex4 = (v: number): string => hexDigits(v, 4);

function ja4Version(v: number): string {
  switch (v) {
    case 0x0304:
      return '13';
    case 0x0303:
      return '12';
    case 0x0302:
      return '11';
    case 0x0301:
      return '10';
    case 0x0300:
      return 's3';
    case 0x0002:
      return 's2';
    case 0xfeff:
      return 'd1';
    case 0xfefd:
      return 'd2';
    case 0xfefc:
      return 'd3';
    default:
      return '00';
  }
}

function two(n: number): string {
  return (n > 99 ? 99 : n).toString().padStart(2, '0');
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** JA4's two ALPN characters: first and last of the first value, or of its hex when not alphanumeric. */
function ja4Alpn(first: Uint8Array | null): string {
  if (first === null || first.length === 0) return '00';
  const a = first[0]!;
  const z = first[first.length - 1]!;
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a) + String.fromCharCode(z);
  const h = bytesToHex(first);
  return h[0]! + h[h.length - 1]!;
}

export interface ClientHelloInfo {
  version: number;
  ciphers: number[];
  extensions: number[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  versions: number[];
  sni: string;
  alpn: string[];
  firstAlpn: Uint8Array | null;
}

/** Parse a ClientHello body (after the 4-byte handshake header). Null when it does not parse. */
export function parseClientHello(w: ByteWindow): ClientHelloInfo | null {
  const info: ClientHelloInfo = {
    version: w.u16(0),
    ciphers: [],
    extensions: [],
    groups: [],
    pointFormats: [],
    sigAlgs: [],
    versions: [],
    sni: '',
    alpn: [],
    firstAlpn: null,
  };
  if (w.length < 38 || w.u8(0) !== 3) return null;
  let o = 34;
  o += 1 + w.u8(o);
  const cl = w.u16(o);
  if ((cl & 1) !== 0 || !w.has(o + 2, cl)) return null;
  for (let i = 0; i < cl && info.ciphers.length < MAX_LIST; i += 2) info.ciphers.push(w.u16(o + 2 + i));
  o += 2 + cl;
  if (!w.has(o, 1)) return null;
  o += 1 + w.u8(o);
  if (!w.has(o, 2)) return info; // no extensions (SSL 3.0 / old TLS)
  const el = w.u16(o);
  o += 2;
  const end = w.has(o, el) ? o + el : w.length;
  for (let n = 0; o + 4 <= end && n < MAX_LIST; n++) {
    const type = w.u16(o);
    const len = w.u16(o + 2);
    const v = o + 4;
    o = v + len;
    if (o > end) return null;
    info.extensions.push(type);
    switch (type) {
      case 0x0000: {
        // server_name: list length, then (type, length, name); host_name is type 0.
        const ll = w.u16(v);
        let k = v + 2;
        const lend = Math.min(v + 2 + ll, v + len);
        while (k + 3 <= lend && info.sni === '') {
          const nt = w.u8(k);
          const nl = w.u16(k + 1);
          if (nt === 0) info.sni = cleanText(w.ascii(k + 3, nl, 255), 255);
          k += 3 + nl;
        }
        break;
      }
      case 0x0010: {
        const ll = w.u16(v);
        let k = v + 2;
        const lend = Math.min(v + 2 + ll, v + len);
        for (let i = 0; k < lend && i < 16; i++) {
          const sl = w.u8(k);
          if (k + 1 + sl > lend) break;
          if (info.firstAlpn === null) info.firstAlpn = w.bytes(k + 1, sl).slice();
          info.alpn.push(cleanText(w.ascii(k + 1, sl, 64), 64));
          k += 1 + sl;
        }
        break;
      }
      case 0x000a: {
        const ll = w.u16(v);
        for (let i = 0; i + 1 < ll && i + 3 < len && info.groups.length < MAX_LIST; i += 2)
          info.groups.push(w.u16(v + 2 + i));
        break;
      }
      case 0x000b: {
        const ll = w.u8(v);
        for (let i = 0; i < ll && i + 1 < len && i < 16; i++) info.pointFormats.push(w.u8(v + 1 + i));
        break;
      }
      case 0x000d: {
        const ll = w.u16(v);
        for (let i = 0; i + 1 < ll && i + 3 < len && info.sigAlgs.length < MAX_LIST; i += 2)
          info.sigAlgs.push(w.u16(v + 2 + i));
        break;
      }
      case 0x002b: {
        const ll = w.u8(v);
        for (let i = 0; i + 1 < ll && i + 2 < len && i < 64; i += 2) info.versions.push(w.u16(v + 1 + i));
        break;
      }
      default:
        break;
    }
  }
  return info;
}

/**
 * Where fingerprint strings are written: room for a ClientHello's lists at their bounds (MAX_LIST
 * codes of at most six characters each, for ciphers, extensions, groups and signature algorithms).
 */
const fp = new FingerprintText(4 * MAX_LIST * 6 + 256);
/** Codes sorted for JA4 (parsed lists hold at most MAX_LIST; a longer one gets its own). */
const sortScratch = new Uint16Array(MAX_LIST);

const COMMA = 0x2c;
const DASH = 0x2d;
const UNDERSCORE = 0x5f;
/** JA4's hashed part of an empty list. */
const NO_HASH = '000000000000';

/** The codes of `a` in decimal with '-' between them, GREASE left out unless `grease`. */
function decList(a: readonly number[], grease: boolean): void {
  let first = true;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (!grease && isGrease(x)) continue;
    if (!first) fp.char(DASH);
    fp.dec(x);
    first = false;
  }
}

/** The non-GREASE codes of `a` in their order, as comma-separated four-digit hex; their count. */
function hexList(a: readonly number[]): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (isGrease(x)) continue;
    if (k > 0) fp.char(COMMA);
    fp.hex4(x);
    k++;
  }
  return k;
}

/**
 * The non-GREASE codes of `a` but those `skip` names, sorted as their four-digit hex strings sort
 * (the same order as the numbers: codes are 16-bit, hex digits sort in ASCII order), written
 * comma-separated; the count.
 */
function sortedHexList(a: readonly number[], skip: (x: number) => boolean): number {
  const s = a.length <= sortScratch.length ? sortScratch : new Uint16Array(a.length);
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (!isGrease(x) && !skip(x)) s[k++] = x;
  }
  const sorted = s.subarray(0, k).sort();
  for (let i = 0; i < k; i++) {
    if (i > 0) fp.char(COMMA);
    fp.hex4(sorted[i]!);
  }
  return k;
}

const keepAll = (): boolean => false;
const sniOrAlpn = (x: number): boolean => x === 0x0000 || x === 0x0010;

/** JA3 string (Salesforce): version,ciphers,extensions,groups,point formats; GREASE removed. */
export function ja3String(c: ClientHelloInfo): string {
  fp.reset().dec(c.version);
  fp.char(COMMA);
  decList(c.ciphers, false);
  fp.char(COMMA);
  decList(c.extensions, false);
  fp.char(COMMA);
  decList(c.groups, false);
  fp.char(COMMA);
  decList(c.pointFormats, true);
  return fp.text();
}

/** What carries the handshake: JA4 starts with 't' over TCP and 'q' over QUIC (FoxIO spec). */
export type TlsTransport = 'tcp' | 'quic';

function ja4Prefix(t: TlsTransport): string {
  return t === 'quic' ? 'q' : 't';
}

/** JA4 (FoxIO), for TLS over TCP by default. */
export function ja4(c: ClientHelloInfo, transport: TlsTransport = 'tcp'): string {
  let version = -1;
  for (const v of c.versions) if (!isGrease(v) && v > version) version = v;
  if (version < 0) version = c.version;
  const a =
    ja4Prefix(transport) +
    ja4Version(version) +
    (c.extensions.includes(0) ? 'd' : 'i') +
    two(countNonGrease(c.ciphers)) +
    two(countNonGrease(c.extensions)) +
    ja4Alpn(c.firstAlpn);
  fp.reset();
  const b = sortedHexList(c.ciphers, keepAll) === 0 ? NO_HASH : sha12(fp.text());
  // Extensions sorted, then '_' and the signature algorithms in their order when there are any;
  // empty once SNI and ALPN are left out: twelve zeros, like an empty cipher list.
  fp.reset();
  let cpart = NO_HASH;
  if (sortedHexList(c.extensions, sniOrAlpn) > 0) {
    const mark = fp.length;
    fp.char(UNDERSCORE);
    if (hexList(c.sigAlgs) === 0) fp.cut(mark);
    cpart = sha12(fp.text());
  }
  return a + '_' + b + '_' + cpart;
}

function countNonGrease(a: readonly number[]): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) if (!isGrease(a[i]!)) k++;
  return k;
}

export interface ServerHelloInfo {
  version: number;
  cipher: number;
  extensions: number[];
  selectedVersion: number;
  alpn: Uint8Array | null;
}

export function parseServerHello(w: ByteWindow): ServerHelloInfo | null {
  if (w.length < 38 || w.u8(0) !== 3) return null;
  const info: ServerHelloInfo = {
    version: w.u16(0),
    cipher: 0,
    extensions: [],
    selectedVersion: -1,
    alpn: null,
  };
  let o = 34;
  o += 1 + w.u8(o);
  if (!w.has(o, 3)) return null;
  info.cipher = w.u16(o);
  o += 3;
  if (!w.has(o, 2)) return info;
  const el = w.u16(o);
  o += 2;
  const end = w.has(o, el) ? o + el : w.length;
  for (let n = 0; o + 4 <= end && n < MAX_LIST; n++) {
    const type = w.u16(o);
    const len = w.u16(o + 2);
    const v = o + 4;
    o = v + len;
    if (o > end) return null;
    info.extensions.push(type);
    if (type === 0x002b && len === 2) info.selectedVersion = w.u16(v);
    if (type === 0x0010 && len >= 3) {
      const sl = w.u8(v + 2);
      if (3 + sl <= len) info.alpn = w.bytes(v + 3, sl).slice();
    }
  }
  return info;
}

export function ja3sString(s: ServerHelloInfo): string {
  fp.reset().dec(s.version);
  fp.char(COMMA);
  fp.dec(s.cipher);
  fp.char(COMMA);
  decList(s.extensions, false);
  return fp.text();
}

export function ja4s(s: ServerHelloInfo, transport: TlsTransport = 'tcp'): string {
  const version = s.selectedVersion > 0 ? s.selectedVersion : s.version;
  fp.reset();
  const n = hexList(s.extensions);
  const a = ja4Prefix(transport) + ja4Version(version) + two(n) + ja4Alpn(s.alpn);
  const c = n === 0 ? NO_HASH : sha12(fp.text());
  return a + '_' + hex4(s.cipher) + '_' + c;
}

interface TlsDir {
  rec: StreamBuf;
  hs: StreamBuf;
  done: boolean;
}

interface TlsFlow {
  dirs: TwoDirections<TlsDir>;
}

/** A TLS record header at the start of `w`: handshake/alert/CCS/app-data, version 3.x, sane length. */
export function tlsRecordStart(w: ByteWindow, handshakeOnly: boolean): boolean {
  if (w.length < 6) return false;
  const t = w.u8(0);
  if (handshakeOnly ? t !== 22 : t < 20 || t > 23) return false;
  if (w.u8(1) !== 3 || w.u8(2) > 4) return false;
  const len = w.u16(3);
  if (len === 0 || len > MAX_RECORD) return false;
  return !handshakeOnly || w.u8(5) === 1 || w.u8(5) === 2;
}

const rv = new ByteWindow();
const hv = new ByteWindow();
const recBody = new ByteWindow();
const hsBody = new ByteWindow();
const rest = new ByteWindow();
/** A finished direction keeps no buffer (shared, never appended to: `done` stops every caller). */
const NONE = new StreamBuf(0);

const isDone = (d: TlsDir): boolean => d.done;

function finish(d: TlsDir): void {
  d.done = true;
  d.rec = NONE;
  d.hs = NONE;
}

/**
 * The observations of a parsed ClientHello, sent by the packet's source: SNI (also as the name of the
 * destination address), ALPN, supported versions, JA3 and JA4. Over QUIC the protocol is 'quic' and
 * JA4 starts with 'q'.
 */
export function emitClientHello(
  p: Packet,
  ctx: AppContext,
  c: ClientHelloInfo,
  transport: TlsTransport,
): void {
  const me = srcRef(p);
  const proto = transport === 'quic' ? 'quic' : 'tls';
  if (c.sni !== '') {
    EM[proto].nameQuery(ctx, p, { device: me, field: 'sni', name: c.sni });
    const server = dstRef(p);
    if (server.ip !== null)
      EM[proto].address(ctx, p, { device: server, field: 'sni', ip: server.ip, name: c.sni });
  }
  if (c.alpn.length > 0)
    EM[proto].attribute(ctx, p, { device: me, field: 'alpn', key: 'tls-alpn', value: c.alpn.join(',') });
  fp.reset();
  if (hexList(c.versions) > 0)
    EM[proto].attribute(ctx, p, {
      device: me,
      field: 'supported_versions',
      key: 'tls-versions',
      value: fp.text(),
    });
  EM[proto].fingerprint(ctx, p, {
    device: me,
    field: 'client_hello',
    scheme: 'ja3',
    value: md5hex(ja3String(c)),
  });
  EM[proto].fingerprint(ctx, p, {
    device: me,
    field: 'client_hello',
    scheme: 'ja4',
    value: ja4(c, transport),
  });
}

/** The observations of a parsed ServerHello, sent by the packet's source: the server role, JA3S, JA4S. */
export function emitServerHello(
  p: Packet,
  ctx: AppContext,
  s: ServerHelloInfo,
  transport: TlsTransport,
): void {
  const me = srcRef(p);
  const proto = transport === 'quic' ? 'quic' : 'tls';
  EM[proto].role(ctx, p, { device: me, field: 'server_hello', role: 'tls-server', peer: dstRef(p) });
  EM[proto].fingerprint(ctx, p, {
    device: me,
    field: 'server_hello',
    scheme: 'ja3s',
    value: md5hex(ja3sString(s)),
  });
  EM[proto].fingerprint(ctx, p, {
    device: me,
    field: 'server_hello',
    scheme: 'ja4s',
    value: ja4s(s, transport),
  });
}

/** One part of the server's certificate as an attribute, when it is not empty. */
function certPart(
  p: Packet,
  ctx: AppContext,
  me: DeviceRef,
  field: FieldOf<typeof VOCABULARY>,
  key: KeyOf<typeof VOCABULARY, 'attribute'>,
  value: string,
): void {
  if (value !== '') em.attribute(ctx, p, { device: me, field, key, value });
}

function onHandshake(p: Packet, ctx: AppContext, d: TlsDir, type: number, w: ByteWindow): void {
  if (type === 1) {
    const c = parseClientHello(w);
    finish(d);
    if (c !== null) emitClientHello(p, ctx, c, 'tcp');
  } else if (type === 2) {
    const s = parseServerHello(w);
    if (s === null) return finish(d);
    emitServerHello(p, ctx, s, 'tcp');
    // TLS 1.3 encrypts the certificate: nothing more to read in this direction.
    if (s.selectedVersion === 0x0304) finish(d);
  } else if (type === 11) {
    finish(d);
    const certLen = w.u24(3);
    if (!w.has(6, 1) || certLen < 1) return;
    const c = readCertificate(w, 6, Math.min(certLen, w.length - 6));
    if (c === null) return;
    // The server's own certificate: each non-empty part as an attribute.
    const me = srcRef(p);
    certPart(p, ctx, me, 'certificate.subject.CN', 'tls-cert.cn', c.subject.cn);
    certPart(p, ctx, me, 'certificate.subject.O', 'tls-cert.o', c.subject.o);
    certPart(p, ctx, me, 'certificate.subject', 'tls-cert.subject', c.subject.text);
    certPart(p, ctx, me, 'certificate.issuer', 'tls-cert.issuer', c.issuer.text);
    for (const n of c.sanDns) certPart(p, ctx, me, 'certificate.san', 'tls-cert.san', n);
  } else if (type === 14) {
    finish(d);
  }
}

/** A flow's state: a module-level function, so no closure is made per payload. */
function newFlow(): TlsFlow {
  return { dirs: new TwoDirections() };
}

export function dissectTls(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const starts = tlsRecordStart(w, false);
  const f = ctx.flowState(p, 'tls', newFlow);
  const key = directionKey(p);
  let d = f.dirs.get(key);
  if (d === undefined) {
    if (!starts) return f.dirs.size > 0;
    d = { rec: new StreamBuf(RECORD_CAP), hs: new StreamBuf(HANDSHAKE_CAP), done: false };
    f.dirs.add(key, d);
  }
  if (d.done) return true;
  const at = d.rec.place(p, w.length);
  if (at === SEG_OLD) return true;
  // A gap (lost or reordered segment): the records after it cannot be framed reliably.
  if (at === SEG_GAP) return (finish(d), bothDone(f, p, ctx), true);
  // Records are read in place from the segment while nothing is buffered (most handshake records
  // arrive whole); only what is left of a record split across segments is copied and kept.
  let src = w;
  if (d.rec.len > 0) {
    d.rec.append(w);
    src = d.rec.view(rv);
  }
  let off = 0;
  // The length of a record split across segments (header and all), from its header: what to keep.
  let need = 0;
  for (let i = 0; i < 64 && !d.done; i++) {
    if (src.length - off < 5) break;
    const type = src.u8(off);
    const len = src.u16(off + 3);
    if (type < 20 || type > 24 || src.u8(off + 1) !== 3 || len > MAX_RECORD)
      return (finish(d), bothDone(f, p, ctx), true);
    if (src.length - off < 5 + len) {
      if (src !== w && d.rec.len >= d.rec.cap) finish(d);
      need = 5 + len;
      break;
    }
    // Handshake bodies; anything encrypted ends our interest.
    if (type === 22) handshakes(p, ctx, d, src.sub(recBody, off + 5, len));
    off += 5 + len;
    if (type === 20 || type === 23) finish(d);
  }
  if (d.done) return (bothDone(f, p, ctx), true);
  if (src === w) {
    if (off < w.length) {
      d.rec.reserve(need);
      d.rec.append(w.sub(rest, off));
    }
  } else {
    d.rec.consume(off);
    d.rec.reserve(need);
  }
  return true;
}

/**
 * Both directions are done (the client after its hello; the server after its certificate, or after a
 * TLS 1.3 ServerHello, whose certificate is encrypted): what follows is ciphertext, and every later
 * payload is accepted without a word, so the engine may stop handing the flow over.
 */
function bothDone(f: TlsFlow, p: Packet, ctx: AppContext): void {
  if (f.dirs.both(isDone)) ctx.finished(p);
}

/** Handshake messages in a record body, read in place unless one spans records (then collected). */
function handshakes(p: Packet, ctx: AppContext, d: TlsDir, b: ByteWindow): void {
  let src = b;
  if (d.hs.len > 0) {
    d.hs.append(b);
    src = d.hs.view(hv);
  }
  let off = 0;
  for (let j = 0; j < 32 && !d.done; j++) {
    if (src.length - off < 4) break;
    const ht = src.u8(off);
    const hl = src.u24(off + 1);
    if (src.length - off < 4 + hl) {
      if (4 + hl > d.hs.cap) finish(d);
      break;
    }
    onHandshake(p, ctx, d, ht, src.sub(hsBody, off + 4, hl));
    off += 4 + hl;
  }
  if (d.done) return;
  if (src === b) {
    if (off < b.length) d.hs.append(b.sub(rest, off));
  } else d.hs.consume(off);
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'alpn',
    'certificate.issuer',
    'certificate.san',
    'certificate.subject',
    'certificate.subject.CN',
    'certificate.subject.O',
    'client_hello',
    'server_hello',
    'sni',
    'supported_versions',
  ],
  keys: {
    attribute: [
      'tls-alpn',
      'tls-cert.cn',
      'tls-cert.issuer',
      'tls-cert.o',
      'tls-cert.san',
      'tls-cert.subject',
      'tls-versions',
    ],
    fingerprint: ['ja3', 'ja3s', 'ja4', 'ja4s'],
    role: ['tls-server'],
  },
} as const satisfies Vocabulary;

export const tls: AppProtocol = {
  name: 'tls',
  group: 'it',
  emits: { tls: VOCABULARY },
  tcpPorts: [443, 8443, 4443, 9443, 993, 995, 465, 636, 853, 5061, 8883, 5671, 6514],
  heuristic: (w, p) => p.ipProto === 6 && tlsRecordStart(w, true),
  dissect: dissectTls,
};

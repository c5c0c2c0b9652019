import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol } from '../contract';
import { dstRef, srcRef } from '../common/refs';
import { headerBlockEnd, headerSpans, productVersion, startsWith, startsWithLower } from './text';
import { cleanText } from '../common/text';
import { MAX_VALUE_LENGTH } from '../../model/observation';
import { SEG_GAP, SEG_OLD, StreamBuf, TwoDirections, directionKey } from './stream';
import { Emitter } from '../common/emit';
import { base64Bytes } from '../common/base64';
import { scanNtlmssp, withNtlmssp } from './ntlmssp';

const em = new Emitter<typeof VOCABULARY>('http');

/**
 * HTTP/1.x: request User-Agent and Host, response Server, X-Powered-By, WWW-Authenticate realm and
 * the HTML <title> (embedded web servers often name the product there), and NTLMSSP in NTLM and
 * Negotiate authentication headers (RFC 4559, MS-NTHT). Header blocks split over
 * segments are collected per direction up to HEADER_CAP bytes; bodies are read only for the title.
 */
const HEADER_CAP = 16384;
const TITLE_CAP = 8192;
const METHODS = [
  'GET ',
  'POST ',
  'HEAD ',
  'PUT ',
  'DELETE ',
  'OPTIONS ',
  'PATCH ',
  'CONNECT ',
  'TRACE ',
  'SUBSCRIBE ',
  'UNSUBSCRIBE ',
  'NOTIFY ',
  'PROPFIND ',
  'SEARCH ',
];

interface Dir {
  buf: StreamBuf;
  /** 0 idle (between messages or in a body we skip), 1 collecting headers, 2 collecting body for the title. */
  mode: number;
  /** Complete header blocks read, and whether the direction has read all it will (HTTP_MESSAGES). */
  messages: number;
  done: boolean;
}

interface HttpFlow {
  dirs: TwoDirections<Dir>;
}

/**
 * Learn once: a direction that has read this many header blocks (and is not looking for a title) is
 * done, for the rest of a keep-alive connection repeats the same client, server and host; a flow
 * whose two directions are done is finished. Each direction decides alone, so that a flow whose
 * directions are analysed apart (threads) states what it states as a whole.
 */
export const HTTP_MESSAGES = 8;

/** 1 = request line, 2 = status line, 0 = neither. */
export function httpStart(w: ByteWindow): number {
  if (startsWith(w, 'HTTP/1.')) return 2;
  if (w.length < 8) return 0;
  const c = w.u8(0);
  if (c < 0x41 || c > 0x5a) return 0;
  for (const m of METHODS) {
    if (!startsWith(w, m)) continue;
    // The request line must end in " HTTP/1.x" before its line break; a line longer than the
    // segment (long query strings) is accepted when its target looks like one.
    const lim = w.length < 8192 ? w.length : 8192;
    for (let i = m.length; i < lim; i++) {
      const b = w.u8(i);
      if (b === 0x0a || b === 0x0d || b < 0x20) return 0;
      if (b === 0x20 && startsWith(w, ' HTTP/1.', i)) return 1;
    }
    const t = w.u8(m.length);
    return lim === w.length && lim - m.length > 256 && (t === 0x2f || t === 0x68 || t === 0x2a) ? 1 : 0;
  }
  return 0;
}

const view = new ByteWindow();
const rest = new ByteWindow();

/** The headers emitHeaders reads, found by headerSpans: no strings are made of the others. */
const WANTED = [
  'user-agent',
  'host',
  'server',
  'x-powered-by',
  'www-authenticate',
  'content-type',
  'authorization',
  'proxy-authorization',
  'proxy-authenticate',
];
const USER_AGENT = 0;
const HOST = 1;
const SERVER = 2;
const POWERED_BY = 3;
const WWW_AUTHENTICATE = 4;
const CONTENT_TYPE = 5;
const AUTHORIZATION = 6;
const PROXY_AUTHORIZATION = 7;
const PROXY_AUTHENTICATE = 8;
/** Where each wanted header's value lies in the block just read (start, end; -1 when absent). */
const spans = new Int32Array(2 * WANTED.length);

/** A wanted header's value as read (trimmed, at most a header line), or undefined when absent. */
function rawValue(w: ByteWindow, k: number): string | undefined {
  const s = spans[2 * k]!;
  if (s < 0) return undefined;
  const n = spans[2 * k + 1]! - s;
  return w.ascii(s, n, n);
}

/** A wanted header's value made fit to keep, '' when absent. */
function value(w: ByteWindow, k: number): string {
  const v = rawValue(w, k);
  return v === undefined ? '' : cleanText(v);
}

/** The first offset where `lower` matches wholly within [from, to), or -1. */
function findAt(w: ByteWindow, from: number, to: number, lower: string): number {
  const c = lower.charCodeAt(0) | 0x20;
  // The first byte with its case bit set tells most offsets apart before the whole match is tried.
  for (let i = from; i + lower.length <= to; i++)
    if ((w.u8(i) | 0x20) === c && startsWithLower(w, lower, i)) return i;
  return -1;
}

/**
 * What /html/i says of the cleaned Content-Type, read from the bytes when cleanText would leave them
 * as they are (no control character: the value is already trimmed, then clipped); else from the
 * cleaned string.
 */
function isHtml(w: ByteWindow): boolean {
  const s = spans[2 * CONTENT_TYPE]!;
  if (s < 0) return false;
  const e = spans[2 * CONTENT_TYPE + 1]!;
  for (let i = s; i < e; i++) {
    const b = w.u8(i);
    if (b < 0x20 || b === 0x7f) return /html/i.test(value(w, CONTENT_TYPE));
  }
  const kept = e - s > MAX_VALUE_LENGTH ? s + MAX_VALUE_LENGTH : e;
  return findAt(w, s, kept, 'html') >= 0;
}

/** An NTLM or Negotiate token in an authentication header (one of several challenges, maybe). */
const AUTH_TOKEN = /(?:^|,)\s*(?:NTLM|Negotiate)\s+([A-Za-z0-9+/]{16,})/i;
/** Bytes of a token decoded at most: an NTLMSSP AUTHENTICATE's names come well before this. */
const MAX_TOKEN = 4096;
const token = new ByteWindow();

/** The NTLMSSP message in an NTLM / Negotiate header value (SPNEGO-wrapped or bare), if any. */
function authToken(p: Packet, ctx: AppContext, value: string | undefined): void {
  if (value === undefined) return;
  const m = AUTH_TOKEN.exec(value);
  if (m === null) return;
  const b = base64Bytes(m[1]!, MAX_TOKEN);
  scanNtlmssp(token.reset(b, 0, b.length), p, ctx, em);
}

function hostOnly(h: string): string {
  if (h.startsWith('[')) return '';
  const c = h.indexOf(':');
  const name = (c < 0 ? h : h.slice(0, c)).toLowerCase();
  return /^[0-9.]+$/.test(name) ? '' : name;
}

/** The observations of a header block whose wanted values are in `spans`; true to look for a title. */
function emitHeaders(p: Packet, ctx: AppContext, isResponse: boolean, w: ByteWindow): boolean {
  const me = srcRef(p);
  // Raw values: tokens are longer than cleanText keeps.
  authToken(p, ctx, rawValue(w, isResponse ? WWW_AUTHENTICATE : AUTHORIZATION));
  authToken(p, ctx, rawValue(w, isResponse ? PROXY_AUTHENTICATE : PROXY_AUTHORIZATION));
  if (!isResponse) {
    const ua = value(w, USER_AGENT);
    if (ua !== '') em.software(ctx, p, { device: me, field: 'User-Agent', ...productVersion(ua), raw: ua });
    const host = hostOnly(value(w, HOST));
    if (host !== '') {
      const server = dstRef(p);
      if (server.ip !== null)
        em.address(ctx, p, { device: server, field: 'Host', ip: server.ip, name: host });
    }
    return false;
  }
  em.role(ctx, p, { device: me, field: 'status', role: 'http-server', peer: dstRef(p) });
  const server = value(w, SERVER);
  if (server !== '')
    em.software(ctx, p, { device: me, field: 'Server', ...productVersion(server), raw: server });
  const pb = value(w, POWERED_BY);
  if (pb !== '') em.software(ctx, p, { device: me, field: 'X-Powered-By', ...productVersion(pb), raw: pb });
  const auth = value(w, WWW_AUTHENTICATE);
  const realm =
    auth === ''
      ? null
      : (/realm\s*=\s*"([^"]{0,256})"/i.exec(auth) ?? /realm\s*=\s*([^\s,]{1,256})/i.exec(auth));
  if (realm !== null)
    em.attribute(ctx, p, {
      device: me,
      field: 'WWW-Authenticate.realm',
      key: 'http-auth-realm',
      value: cleanText(realm[1]!),
    });
  return isHtml(w);
}

/**
 * Look for <title>...</title> in the first TITLE_CAP bytes of the body so far (`w`: the buffered
 * body, or the body's start in the segment that ends the headers); true when found (or when it can
 * no longer be). Read in place as /<title[^>]{0,128}>([^<]{0,512})<\/title/i would read the body's
 * Latin-1 text (each quantifier stops at the one byte it excludes, so there is nothing to
 * backtrack): a string is made of the title alone, not of the body each time a segment comes.
 */
function findTitle(p: Packet, ctx: AppContext, w: ByteWindow): boolean {
  const n = w.length < TITLE_CAP ? w.length : TITLE_CAP;
  for (let at = findAt(w, 0, n, '<title'); at >= 0; at = findAt(w, at + 1, n, '<title')) {
    const gt = stopAt(w, at + 6, n, 128, 0x3e);
    if (gt < 0) continue;
    const lt = stopAt(w, gt + 1, n, 512, 0x3c);
    if (lt < 0 || !startsWithLower(w, '</title', lt) || lt + 7 > n) continue;
    const t = cleanText(w.ascii(gt + 1, lt - gt - 1, 512).replace(/\s+/g, ' '), 256);
    if (t !== '')
      em.attribute(ctx, p, { device: srcRef(p), field: 'html.title', key: 'html-title', value: t });
    return true;
  }
  return w.length >= TITLE_CAP || findAt(w, 0, n, '</head') >= 0 || findAt(w, 0, n, '<body') >= 0;
}

/** Offset of byte `stop` after at most `max` other bytes from `o` (all below `n`), or -1. */
function stopAt(w: ByteWindow, o: number, n: number, max: number, stop: number): number {
  const lim = o + max < n ? o + max : n - 1;
  for (let i = o; i <= lim; i++) if (w.u8(i) === stop) return i;
  return -1;
}

/** A segment too short to test that is the beginning of a method or status line ("POST " alone). */
export function partialStart(w: ByteWindow): boolean {
  if (w.length === 0 || w.length >= 8) return false;
  const s = w.ascii(0, w.length);
  return METHODS.some((m) => m.startsWith(s) || s.startsWith(m)) || 'HTTP/1.'.startsWith(s);
}

/** A flow's state: a module-level function, so no closure is made per payload. */
function newFlow(): HttpFlow {
  return { dirs: new TwoDirections() };
}

export function dissectHttp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const f = ctx.flowState(p, 'http', newFlow);
  const key = directionKey(p);
  const ok = dissectIn(w, p, ctx, f, key);
  const d = f.dirs.get(key);
  if (ctx.learnsOnce && d !== undefined && !d.done && d.mode === 0 && d.messages >= HTTP_MESSAGES) {
    d.done = true;
    d.buf.clear();
    if (f.dirs.both(isDone)) ctx.finished(p);
  }
  return ok;
}

const isDone = (d: Dir): boolean => d.done;

function dissectIn(w: ByteWindow, p: Packet, ctx: AppContext, f: HttpFlow, key: number): boolean {
  const start = httpStart(w);
  const partial = start === 0 && partialStart(w);
  let d = f.dirs.get(key);
  if (d === undefined) {
    if (start === 0 && !partial) return f.dirs.size > 0;
    d = { buf: new StreamBuf(HEADER_CAP), mode: 0, messages: 0, done: false };
    f.dirs.add(key, d);
  }
  if (d.done) return true;
  if (p.ipProto === 6) {
    const at = d.buf.place(p, w.length);
    if (at === SEG_OLD) return true;
    // Bytes went missing: a half-collected header or title can no longer be completed.
    if (at === SEG_GAP && start === 0) {
      d.mode = 0;
      d.buf.clear();
    }
  }
  if (start !== 0 || (partial && d.mode !== 1)) {
    d.buf.clear();
    d.mode = 1;
  }
  if (d.mode === 0) return true;
  // The common case: a whole header block at the start of one segment, read in place (no copy).
  // Parsed straight away: a block that does not end in this segment (bodyStart -1) is collected below.
  if (d.mode === 1 && d.buf.len === 0) {
    const bodyStart = headerSpans(w, HEADER_CAP, WANTED, spans);
    if (bodyStart >= 0) {
      // What follows the headers in this segment is the start of the body: looked at in place for
      // the title, and kept only when the title may still come (a buffer per response cost more
      // than the search: most titles are in the first segment).
      if (headersDone(p, ctx, d, w, bodyStart)) {
        const n = (w.length < HEADER_CAP ? w.length : HEADER_CAP) - bodyStart;
        if (n > 0) {
          const body = w.sub(rest, bodyStart, n);
          if (findTitle(p, ctx, body)) d.mode = 0;
          else d.buf.append(body);
        }
      }
      return true;
    }
  }
  const full = !d.buf.append(w);
  if (d.mode === 2) {
    if (findTitle(p, ctx, d.buf.view(view))) {
      d.mode = 0;
      d.buf.clear();
    }
    return true;
  }
  const bw = d.buf.view(view);
  // Parsed once the block is complete (or the buffer full), not again on every segment before that.
  if (!full && headerBlockEnd(bw, HEADER_CAP) < 0) return true;
  // A start line assembled from a short first segment is tested again whole.
  if (httpStart(bw) === 0) {
    d.mode = 0;
    d.buf.clear();
    return true;
  }
  const bodyStart = headerSpans(bw, HEADER_CAP, WANTED, spans);
  if (bodyStart < 0 && !full) return true;
  if (headersDone(p, ctx, d, bw, bodyStart)) {
    d.buf.consume(bodyStart);
    if (d.buf.len > 0 && findTitle(p, ctx, d.buf.view(view))) {
      d.mode = 0;
      d.buf.clear();
    }
  } else d.buf.clear();
  return true;
}

/**
 * A complete header block: report it, then skip the body (mode 0) or look in it for the title (mode
 * 2); true for the latter.
 */
function headersDone(p: Packet, ctx: AppContext, d: Dir, w: ByteWindow, bodyStart: number): boolean {
  d.messages++;
  const wantTitle = emitHeaders(p, ctx, startsWith(w, 'HTTP/'), w) && bodyStart > 0;
  d.mode = wantTitle ? 2 : 0;
  return wantTitle;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = withNtlmssp({
  fields: ['Host', 'Server', 'User-Agent', 'WWW-Authenticate.realm', 'X-Powered-By', 'html.title', 'status'],
  keys: {
    attribute: ['html-title', 'http-auth-realm'],
    role: ['http-server'],
  },
} as const);

export const http: AppProtocol = {
  name: 'http',
  group: 'it',
  emits: { http: VOCABULARY },
  tcpPorts: [80, 8080, 8000, 8008, 8081, 8088, 8888, 5000, 7080, 49152, 49153, 49154, 2869],
  heuristic: (w, p) => p.ipProto === 6 && httpStart(w) !== 0,
  dissect: dissectHttp,
};

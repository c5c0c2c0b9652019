import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext } from '../contract';
import { base64Bytes } from '../common/base64';
import { cleanText } from '../common/text';
import { SEG_GAP, SEG_OLD, StreamBuf } from './stream';
import { scanNtlmssp } from './ntlmssp';

/**
 * What SMTP, IMAP and POP3 share: the clear-text start of a line-based session read across segments
 * in a bounded buffer, NTLM tokens in base64 lines (RFC 4954 and 5034 AUTH, RFC 4959 SASL-IR,
 * MS-SMTPNTLM, MS-OXIMAP, MS-OXPOP3), and what IMAP and POP3 greetings say about the server (its
 * software, and the host name Exchange hides in them).
 */

/** One direction of a session. */
export interface LineDir {
  buf: StreamBuf;
  lines: number;
  done: boolean;
  /** After the client started an NTLM exchange, lines are base64 tokens (longer than commands). */
  auth: boolean;
}

/** Command and reply lines: RFC 5321 4.5.3.1 says 512 octets (a little slack for real servers); IMAP and POP3 allow longer, but a session's start never needs it. */
export const MAX_LINE = 1024;
/** A base64 NTLM AUTHENTICATE with a long workstation name still fits. */
export const MAX_AUTH_LINE = 8192;
/** Lines read per direction before giving up (long CAPABILITY replies, pipelined commands). */
export const MAX_LINES = 24;
/** Bytes of a token decoded at most. */
const MAX_TOKEN = 4096;

export function newLineDir(): LineDir {
  return { buf: new StreamBuf(MAX_AUTH_LINE + MAX_LINE), lines: 0, done: false, auth: false };
}

/** Both directions of a session, each created at the first segment that starts it. */
export interface LineFlow {
  client: LineDir | null;
  server: LineDir | null;
}

/** The server's side of a packet: the well-known port, else the lower port. */
export function fromServer(p: Packet, ports: readonly number[]): boolean {
  if (ports.includes(p.srcPort)) return true;
  if (ports.includes(p.dstPort)) return false;
  return p.srcPort < p.dstPort;
}

/**
 * One segment of a session: its direction found, or started when the segment looks like the start of
 * one (a greeting, a first command), and its complete lines handed to `onLine` in order. The
 * direction, or null when the segment starts nothing.
 */
export function sessionLines(
  f: LineFlow,
  w: ByteWindow,
  p: Packet,
  ports: readonly number[],
  looksLikeStart: (w: ByteWindow, server: boolean) => boolean,
  onLine: (line: string, server: boolean, d: LineDir) => void,
): LineDir | null {
  const server = fromServer(p, ports);
  let d = server ? f.server : f.client;
  if (d === null) {
    if (!looksLikeStart(w, server)) return null;
    d = newLineDir();
    if (server) f.server = d;
    else f.client = d;
  }
  const dir = d;
  feedLines(dir, w, p, (line) => onLine(line, server, dir));
  return dir;
}

const view = new ByteWindow();

/**
 * Add a segment to `d` and hand each complete line (without its CR LF) to `onLine`. A gap, a line
 * longer than the protocol allows or MAX_LINES lines end the direction: what follows cannot be read.
 */
export function feedLines(d: LineDir, w: ByteWindow, p: Packet, onLine: (line: string) => void): void {
  if (d.done) return;
  if (p.ipProto === 6) {
    const at = d.buf.place(p, w.length);
    if (at === SEG_OLD) return;
    if (at === SEG_GAP) return finish(d);
  }
  d.buf.append(w);
  const v = d.buf.view(view);
  let start = 0;
  let limit = d.auth ? MAX_AUTH_LINE : MAX_LINE;
  while (!d.done) {
    const nl = v.indexOf(0x0a, start);
    if (nl < 0 || nl - start > limit) break;
    let e = nl;
    if (e > start && v.u8(e - 1) === 0x0d) e--;
    const line = v.ascii(start, e - start, limit);
    start = nl + 1;
    onLine(line);
    if (++d.lines >= MAX_LINES) d.done = true;
    limit = d.auth ? MAX_AUTH_LINE : MAX_LINE;
  }
  if (d.done) return finish(d);
  d.buf.consume(start);
  if (d.buf.len > limit) finish(d);
}

function finish(d: LineDir): void {
  d.done = true;
  d.buf.clear();
}

const tokenWindow = new ByteWindow();
const TOKEN_LINE = /^[A-Za-z0-9+/]+=*$/;

/**
 * A client line of an NTLM exchange: the AUTH command (`auth`, its group 1 the initial response) or,
 * after it, a base64 token (the NEGOTIATE when there was no initial response, then the AUTHENTICATE,
 * which ends the exchange). True when the line was one of those.
 */
export function ntlmClientLine(
  line: string,
  d: LineDir,
  auth: RegExp,
  p: Packet,
  ctx: AppContext,
  em: Parameters<typeof scanNtlmssp>[3],
): boolean {
  if (d.auth) {
    d.auth = false;
    if (TOKEN_LINE.test(line)) {
      d.auth = line.startsWith('TlRMTVNTUAAB');
      ntlmToken(line, p, ctx, em);
      return true;
    }
  }
  const a = auth.exec(line);
  if (a === null) return false;
  d.auth = true;
  if (a[1] !== undefined) ntlmToken(a[1], p, ctx, em);
  return true;
}

/** The NTLMSSP message in a base64 token, if any. */
export function ntlmToken(
  token: string,
  p: Packet,
  ctx: AppContext,
  em: Parameters<typeof scanNtlmssp>[3],
): void {
  const b = base64Bytes(token, MAX_TOKEN);
  scanNtlmssp(tokenWindow.reset(b, 0, b.length), p, ctx, em);
}

/**
 * Mail store software named in a greeting or an IMPLEMENTATION / ID reply. Greetings are free text,
 * so only known products are taken, with a version where one follows.
 */
const SOFTWARE =
  /\b(Dovecot|Courier-IMAP|Courier-POP3|Cyrus (?:IMAP|POP3)|UW IMAP|Microsoft Exchange Server \d{4}|Microsoft Exchange|Zimbra|hMailServer|MDaemon|Kerio Connect|IceWarp|Merak|Axigen|SmarterMail|Lotus Domino|IBM Domino|Domino|CommuniGate Pro|Gimap|Qpopper|popa3d|Kopano|Zarafa|MailEnable|Openwave|Mirapoint|Oracle Communications Messaging Server|Sun Java\(tm\) System Messaging Server|Apache James|Archiveopteryx|Citadel|Mercury\/32)\b(?:[ /]+(?:IMAP4rev1 |POP3 )?(?:server )?(?:version |v)?(\d[\w.-]*\d|\d))?/i;

export function mailSoftware(text: string): { product: string; version: string | null } | null {
  const m = SOFTWARE.exec(text);
  return m === null ? null : { product: m[1]!, version: m[2] ?? null };
}

/** RFC 1035 host name with at least one dot; bare words and addresses are not names. */
const DOTTED_NAME =
  /^(?=.{4,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))+$/;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export function mailHostName(s: string): string | null {
  return DOTTED_NAME.test(s) && !DOTTED_QUAD.test(s) && /[A-Za-z]/.test(s) ? s : null;
}

/**
 * The host names a greeting states: its first word ("mail.example.org Cyrus IMAP v3.4.1 server
 * ready"), a name in parentheses (Exchange 2003: "... version 6.5.7638.1 (mail.example.org) ready"),
 * the host of an APOP timestamp ("<1896.697170952@dbc.mtview.ca.us>", RFC 1939 4), and the bracketed
 * base64 that Exchange 2013 and later append: the server's FQDN in UTF-16LE.
 */
export function greetingNames(text: string): string[] {
  const out = new Set<string>();
  const first = mailHostName(text.split(/\s/, 1)[0]!);
  if (first !== null) out.add(first);
  for (const m of text.matchAll(/\(([A-Za-z0-9.-]{4,253})\)/g)) {
    const n = mailHostName(m[1]!);
    if (n !== null) out.add(n);
  }
  const apop = /<[\x21-\x3b\x3d\x3f-\x7e]{1,128}@([A-Za-z0-9.-]{4,253})>/.exec(text);
  if (apop !== null) {
    const n = mailHostName(apop[1]!);
    if (n !== null) out.add(n);
  }
  const b = /\[([A-Za-z0-9+/]{8,680}={0,2})\]\s*$/.exec(text);
  if (b !== null) {
    const n = mailHostName(utf16leText(base64Bytes(b[1]!, 510)));
    if (n !== null) out.add(n);
  }
  return [...out];
}

/** UTF-16LE bytes of printable ASCII, as text; anything else gives '' (not a name). */
function utf16leText(b: Uint8Array): string {
  if (b.length < 2 || b.length % 2 !== 0) return '';
  let s = '';
  for (let i = 0; i < b.length; i += 2) {
    const c = b[i]!;
    if (b[i + 1] !== 0 || c < 0x21 || c > 0x7e) return '';
    s += String.fromCharCode(c);
  }
  return s;
}

/** A greeting as kept: control characters gone, the bracketed base64 kept (it names the server). */
export function greetingText(line: string, from: number): string {
  return cleanText(line.slice(from), 512).trim();
}

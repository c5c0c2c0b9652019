import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol } from '../contract';
import { dstRef, srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { Emitter } from '../common/emit';
import { withNtlmssp } from './ntlmssp';
import { ntlmClientLine, ntlmToken, sessionLines, type LineDir, type LineFlow } from './mail-session';

const em = new Emitter<typeof VOCABULARY>('smtp');

/**
 * SMTP / ESMTP (RFC 5321, TCP 25 and submission 587), the clear-text start of a session: the server's
 * 220 greeting (its host name, then free text that often names the software), the client's HELO or
 * EHLO (the host name the client claims for itself) and the server's first 250 reply to it (its name
 * again), and AUTH NTLM (RFC 4954, MS-SMTPNTLM): the client's tokens and the server's 334 challenge
 * carry NTLMSSP. Lines are collected across segments in a small bounded buffer; a direction is
 * finished after a few lines, at STARTTLS or DATA, or at a gap. Mail itself is not read.
 */
const PORTS = [25, 587];
interface SmtpFlow extends LineFlow {
  /** Client: HELO / EHLO seen (stated once). */
  helo: boolean;
  /** Client: STARTTLS, DATA, BDAT or QUIT sent (no AUTH challenge can follow). */
  ended: boolean;
  /** The 220 greeting was seen (a 250 reply names the server only after it). */
  greeted: boolean;
  /** The first 250 reply (to HELO / EHLO) was seen: later server lines matter only as 334 challenges. */
  replied: boolean;
  bannerName: string;
}

/** RFC 5321 Domain: dot-separated labels of letters, digits, hyphens (underscores are common enough). */
const DOMAIN = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** A host name as a client or server states it; address literals ("[192.0.2.1]") and bare IPs are not names. */
export function smtpDomain(s: string): string | null {
  if (s.length > 255 || !DOMAIN.test(s) || DOTTED_QUAD.test(s)) return null;
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/**
 * Mail server software named in a greeting. Greetings are free text ("mx.google.com ESMTP
 * d2e1a72fcca58-..."), so only known products are taken, with the version that follows them.
 */
const SOFTWARE =
  /\b(Postfix|Exim|Sendmail|OpenSMTPD|Haraka|qmail|MailEnable|hMailServer|Zimbra|IceWarp|MDaemon|CommuniGate Pro|Courier|Kerio Connect|Axigen|Lotus Domino|IBM Domino|Microsoft ESMTP MAIL Service|Mercury|Exchange|Zoho Mail|MailMarshal|Xeams|SmarterMail|Merak|ArGoSoft Mail Server)\b(?:(?:[ /]|, Version: )v?(\d[\w.]*\d|\d))?/i;

export function smtpSoftware(text: string): { product: string; version: string | null } | null {
  const m = SOFTWARE.exec(text);
  return m === null ? null : { product: m[1]!, version: m[2] ?? null };
}

/**
 * The clock many greetings end with ("...; Sun, 6 Dec 2026 10:00:00 +0100"): dropped, so that every
 * connection to a server states the same banner (each distinct value is a fact the device keeps).
 */
const DATE =
  /[;,]?\s*(?:at\s+)?(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[+-]\d{4})?(?:\s*\([^)]{0,32}\))?/i;

export function smtpBanner(text: string): string {
  return text.replace(DATE, '').trim();
}

/** The first bytes of a direction: a reply code (server) or HELO / EHLO (client); else not SMTP. */
function looksLikeStart(w: ByteWindow, server: boolean): boolean {
  if (w.length < 4) return false;
  if (server) {
    const c = w.u8(0);
    const sep = w.u8(3);
    return c >= 0x32 && c <= 0x35 && isDigit(w.u8(1)) && isDigit(w.u8(2)) && (sep === 0x20 || sep === 0x2d);
  }
  const verb = String.fromCharCode(w.u8(0), w.u8(1), w.u8(2), w.u8(3)).toUpperCase();
  return verb === 'HELO' || verb === 'EHLO';
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A flow's state: a module-level function, so no closure is made per payload. */
function newFlow(): SmtpFlow {
  return {
    client: null,
    server: null,
    helo: false,
    ended: false,
    greeted: false,
    replied: false,
    bannerName: '',
  };
}

export function dissectSmtp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const f = ctx.flowState(p, 'smtp', newFlow);
  const d = sessionLines(f, w, p, PORTS, looksLikeStart, (line, server, dir) =>
    server ? serverLine(line, p, ctx, f, dir) : clientLine(line, p, ctx, f, dir),
  );
  if (d === null) return f.client !== null || f.server !== null;
  // Learn once: both directions are done; or the client sent STARTTLS, DATA, BDAT or QUIT (what
  // follows is encrypted or mail) after the server answered HELO / EHLO (its later lines would
  // matter only as AUTH challenges, and those come before).
  const c = f.client;
  const s = f.server;
  if ((c?.done === true && s?.done === true) || (f.replied && f.ended)) ctx.finished(p);
  return true;
}

const AUTH_NTLM = /^AUTH[ \t]+NTLM(?:[ \t]+([A-Za-z0-9+/]+=*))?[ \t]*$/i;
const CHALLENGE = /^334[ \t]+([A-Za-z0-9+/]{16,}=*)[ \t]*$/;

function clientLine(line: string, p: Packet, ctx: AppContext, f: SmtpFlow, d: LineDir): void {
  if (ntlmClientLine(line, d, AUTH_NTLM, p, ctx, em)) return;
  // What follows is encrypted or mail.
  if (/^(STARTTLS|DATA|BDAT|QUIT)\b/i.test(line)) {
    d.done = true;
    f.ended = true;
    return;
  }
  const m = /^(HELO|EHLO)[ \t]+(\S+)/i.exec(line);
  if (m === null || f.helo) return;
  f.helo = true;
  const verb = m[1]!.toUpperCase();
  const me = srcRef(p);
  const field = verb === 'EHLO' ? 'ehlo' : 'helo';
  em.role(ctx, p, { device: me, field, role: 'smtp-client', peer: dstRef(p) });
  const name = smtpDomain(m[2]!);
  if (name !== null) em.hostname(ctx, p, { device: me, field, name });
  else em.attribute(ctx, p, { device: me, field, key: 'smtp-helo', value: cleanText(m[2]!, 255) });
}

function serverLine(line: string, p: Packet, ctx: AppContext, f: SmtpFlow, d: LineDir): void {
  const code = line.slice(0, 3);
  const text = smtpBanner(cleanText(line.slice(4), 512));
  const me = srcRef(p);
  if (!f.greeted) {
    // A reply before any greeting: the capture began mid-session; nothing here names the server.
    if (code !== '220') {
      d.done = true;
      return;
    }
    f.greeted = true;
    em.role(ctx, p, { device: me, field: 'greeting', role: 'smtp-server', peer: dstRef(p) });
    if (text !== '') em.attribute(ctx, p, { device: me, field: 'greeting', key: 'smtp-banner', value: text });
    const name = smtpDomain(text.split(/\s/, 1)[0]!);
    if (name !== null) {
      f.bannerName = name.toLowerCase();
      em.hostname(ctx, p, { device: me, field: 'greeting', name });
    }
    const sw = smtpSoftware(text);
    if (sw !== null) em.software(ctx, p, { device: me, field: 'greeting', ...sw, raw: text });
    return;
  }
  if (f.replied) {
    const c = CHALLENGE.exec(line);
    if (c !== null) ntlmToken(c[1]!, p, ctx, em);
    return;
  }
  if (code !== '250') return;
  // The first 250 line answers HELO / EHLO: "250-mx.example.org Hello client [192.0.2.7]".
  f.replied = true;
  const name = smtpDomain(text.split(/\s/, 1)[0]!);
  if (name !== null && name.toLowerCase() !== f.bannerName)
    em.hostname(ctx, p, { device: me, field: 'ehlo-reply', name });
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = withNtlmssp({
  fields: ['ehlo', 'ehlo-reply', 'greeting', 'helo'],
  keys: {
    attribute: ['smtp-banner', 'smtp-helo'],
    role: ['smtp-client', 'smtp-server'],
  },
} as const);

export const smtp: AppProtocol = {
  name: 'smtp',
  group: 'it',
  emits: { smtp: VOCABULARY },
  tcpPorts: PORTS,
  dissect: dissectSmtp,
};

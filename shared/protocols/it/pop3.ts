import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol } from '../contract';
import { dstRef, srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { Emitter } from '../common/emit';
import { withNtlmssp } from './ntlmssp';
import {
  greetingNames,
  greetingText,
  mailSoftware,
  ntlmClientLine,
  ntlmToken,
  sessionLines,
  type LineDir,
  type LineFlow,
} from './mail-session';

const em = new Emitter<typeof VOCABULARY>('pop3');

/**
 * POP3 (RFC 1939; TCP 110), the clear-text start of a session: the server's +OK greeting (its host
 * name, from the text or the APOP timestamp, its software, and the FQDN Exchange 2013 and later hide
 * in base64), the IMPLEMENTATION line of a CAPA reply (RFC 2449 6.9: the server's software), and AUTH
 * NTLM (RFC 5034, MS-OXPOP3): the client's tokens and the server's "+" challenge carry NTLMSSP. STLS,
 * USER/PASS/APOP and mail retrieval end the reading: neither passwords nor mail are read.
 */
const PORTS = [110];

interface Pop3Flow extends LineFlow {
  greeted: boolean;
  /** The client sent CAPA: a multi-line +OK reply follows. */
  capa: boolean;
  /** Inside the CAPA reply, up to its "." line. */
  inCapa: boolean;
  implementation: boolean;
}

/** A server starts with "+OK" (or "-ERR" when it refuses); a client with a command of 3-4 letters. */
function looksLikeStart(w: ByteWindow, server: boolean): boolean {
  if (w.length < 4) return false;
  const head = w.ascii(0, Math.min(w.length, 8), 8).toUpperCase();
  return server ? /^(\+OK|-ERR)\b/.test(head) : /^(CAPA|AUTH|USER|APOP|STLS|QUIT)\b/.test(head);
}

/** A flow's state: a module-level function, so no closure is made per payload. */
function newFlow(): Pop3Flow {
  return {
    client: null,
    server: null,
    greeted: false,
    capa: false,
    inCapa: false,
    implementation: false,
  };
}

export function dissectPop3(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const f = ctx.flowState(p, 'pop3', newFlow);
  const d = sessionLines(f, w, p, PORTS, looksLikeStart, (line, server, dir) =>
    server ? serverLine(line, p, ctx, f, dir) : clientLine(line, p, ctx, f, dir),
  );
  if (d === null) return f.client !== null || f.server !== null;
  // Both directions read as far as they will be: nothing left to learn from this flow.
  if (f.client?.done === true && f.server?.done === true) ctx.finished(p);
  return true;
}

const AUTH_NTLM = /^AUTH NTLM(?: ([A-Za-z0-9+/]+=*))?\s*$/i;
/** What follows these is encrypted, a password or mail. */
const END = /^(STLS|USER|PASS|APOP|RETR|TOP|QUIT)\b/i;

function clientLine(line: string, p: Packet, ctx: AppContext, f: Pop3Flow, d: LineDir): void {
  if (ntlmClientLine(line, d, AUTH_NTLM, p, ctx, em)) return;
  if (/^CAPA\s*$/i.test(line)) f.capa = true;
  else if (END.test(line)) d.done = true;
}

const CHALLENGE = /^\+ ([A-Za-z0-9+/]{16,}=*)\s*$/;

function serverLine(line: string, p: Packet, ctx: AppContext, f: Pop3Flow, d: LineDir): void {
  const me = srcRef(p);
  if (!f.greeted) {
    const g = /^\+OK(?: (.*))?$/i.exec(line);
    if (g === null) {
      d.done = true;
      return;
    }
    f.greeted = true;
    const text = greetingText(g[1] ?? '', 0);
    em.role(ctx, p, { device: me, field: 'greeting', role: 'pop3-server', peer: dstRef(p) });
    if (text !== '') em.attribute(ctx, p, { device: me, field: 'greeting', key: 'pop3-banner', value: text });
    for (const name of greetingNames(text)) em.hostname(ctx, p, { device: me, field: 'greeting', name });
    const sw = mailSoftware(text);
    if (sw !== null) em.software(ctx, p, { device: me, field: 'greeting', ...sw, raw: text });
    return;
  }
  if (f.inCapa) {
    if (line === '.') f.inCapa = false;
    else {
      const impl = /^IMPLEMENTATION (.+)$/i.exec(line);
      if (impl !== null && !f.implementation) {
        f.implementation = true;
        const text = cleanText(impl[1]!, 256).trim();
        em.attribute(ctx, p, {
          device: me,
          field: 'implementation',
          key: 'pop3-implementation',
          value: text,
        });
        const sw = mailSoftware(text);
        if (sw !== null) em.software(ctx, p, { device: me, field: 'implementation', ...sw, raw: text });
      }
    }
    return;
  }
  if (f.capa && /^\+OK\b/i.test(line)) {
    f.capa = false;
    f.inCapa = true;
    return;
  }
  const c = CHALLENGE.exec(line);
  if (c !== null) ntlmToken(c[1]!, p, ctx, em);
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = withNtlmssp({
  fields: ['greeting', 'implementation'],
  keys: {
    attribute: ['pop3-banner', 'pop3-implementation'],
    role: ['pop3-server'],
  },
} as const);

export const pop3: AppProtocol = {
  name: 'pop3',
  group: 'it',
  emits: { pop3: VOCABULARY },
  tcpPorts: PORTS,
  dissect: dissectPop3,
};

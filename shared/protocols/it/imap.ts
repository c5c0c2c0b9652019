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

const em = new Emitter<typeof VOCABULARY>('imap');

/**
 * IMAP (RFC 9051, RFC 3501; TCP 143), the clear-text start of a session: the server's untagged
 * greeting (its host name and software, and the FQDN Exchange 2013 and later hide in base64), the ID
 * command both ways (RFC 2971: the client's and the server's own name, version and OS), and
 * AUTHENTICATE NTLM (MS-OXIMAP, RFC 4959 initial response): the client's tokens and the server's "+"
 * challenge carry NTLMSSP. STARTTLS, LOGIN or a mailbox command end the reading: mail is not read,
 * and neither is a LOGIN's password.
 */
const PORTS = [143];

interface ImapFlow extends LineFlow {
  greeted: boolean;
  /** Each side's ID is stated once. */
  clientId: boolean;
  serverId: boolean;
}

/** A server starts with "* OK", "* PREAUTH" or "* BYE"; a client with a tag and a command. */
function looksLikeStart(w: ByteWindow, server: boolean): boolean {
  if (w.length < 4) return false;
  const head = w.ascii(0, Math.min(w.length, 12), 12).toUpperCase();
  if (server) return /^\* (OK|PREAUTH|BYE)\b/.test(head);
  return /^[\x21-\x7e]{1,10} [A-Z]/.test(head) && !head.startsWith('* ') && !head.startsWith('+ ');
}

/** A flow's state: a module-level function, so no closure is made per payload. */
function newFlow(): ImapFlow {
  return {
    client: null,
    server: null,
    greeted: false,
    clientId: false,
    serverId: false,
  };
}

export function dissectImap(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const f = ctx.flowState(p, 'imap', newFlow);
  const d = sessionLines(f, w, p, PORTS, looksLikeStart, (line, server, dir) =>
    server ? serverLine(line, p, ctx, f, dir) : clientLine(line, p, ctx, f, dir),
  );
  if (d === null) return f.client !== null || f.server !== null;
  // Both directions read as far as they will be: nothing left to learn from this flow.
  if (f.client?.done === true && f.server?.done === true) ctx.finished(p);
  return true;
}

const AUTH_NTLM = /^[\x21-\x7e]{1,64} AUTHENTICATE NTLM(?: ([A-Za-z0-9+/]+=*))?\s*$/i;
const ID_CMD = /^[\x21-\x7e]{1,64} ID (\(.*\))\s*$/i;
/** What follows these is encrypted, a password or mail. */
const END = /^[\x21-\x7e]{1,64} (STARTTLS|LOGIN|SELECT|EXAMINE|LOGOUT|COMPRESS)\b/i;

function clientLine(line: string, p: Packet, ctx: AppContext, f: ImapFlow, d: LineDir): void {
  if (ntlmClientLine(line, d, AUTH_NTLM, p, ctx, em)) return;
  if (END.test(line)) {
    d.done = true;
    return;
  }
  const id = ID_CMD.exec(line);
  if (id !== null && !f.clientId) {
    f.clientId = true;
    em.role(ctx, p, { device: srcRef(p), field: 'id', role: 'imap-client', peer: dstRef(p) });
    idFacts(id[1]!, p, ctx);
  }
}

const CHALLENGE = /^\+ ([A-Za-z0-9+/]{16,}=*)\s*$/;
const SERVER_ID = /^\* ID (\(.*\))\s*$/i;

function serverLine(line: string, p: Packet, ctx: AppContext, f: ImapFlow, d: LineDir): void {
  const me = srcRef(p);
  if (!f.greeted) {
    // Anything before the greeting: the capture began mid-session.
    const g = /^\* (OK|PREAUTH|BYE) (?:\[[^\]]*\] ?)?(.*)$/i.exec(line);
    if (g === null) {
      d.done = true;
      return;
    }
    f.greeted = true;
    const text = greetingText(g[2]!, 0);
    em.role(ctx, p, { device: me, field: 'greeting', role: 'imap-server', peer: dstRef(p) });
    if (text !== '') em.attribute(ctx, p, { device: me, field: 'greeting', key: 'imap-banner', value: text });
    for (const name of greetingNames(text)) em.hostname(ctx, p, { device: me, field: 'greeting', name });
    const sw = mailSoftware(text);
    if (sw !== null) em.software(ctx, p, { device: me, field: 'greeting', ...sw, raw: text });
    return;
  }
  const c = CHALLENGE.exec(line);
  if (c !== null) {
    ntlmToken(c[1]!, p, ctx, em);
    return;
  }
  const id = SERVER_ID.exec(line);
  if (id !== null && !f.serverId) {
    f.serverId = true;
    idFacts(id[1]!, p, ctx);
  }
}

/** RFC 2971 3.3: the field names kept, and the attribute each becomes (others can be anything). */
const ID_FIELDS = {
  name: 'imap-id.name',
  version: 'imap-id.version',
  os: 'imap-id.os',
  'os-version': 'imap-id.os-version',
  vendor: 'imap-id.vendor',
} as const;
type IdField = keyof typeof ID_FIELDS;
const isIdField = (k: string): k is IdField => Object.hasOwn(ID_FIELDS, k);

/**
 * An ID parameter list: `("name" "Thunderbird" "version" "115.3.1")`, quoted strings (with \" and \\
 * escapes) or NIL, at most 30 pairs of at most 1024 bytes each (RFC 2971 3.3).
 */
export function parseImapId(list: string): Map<IdField, string> {
  const out = new Map<IdField, string>();
  const items: (string | null)[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\["\\]){0,1024})"|(NIL))/iy;
  re.lastIndex = 1;
  while (items.length < 60) {
    const m = re.exec(list);
    if (m === null) break;
    items.push(m[2] !== undefined ? null : m[1]!.replace(/\\(["\\])/g, '$1'));
  }
  for (let i = 0; i + 1 < items.length; i += 2) {
    const k = items[i];
    const v = items[i + 1];
    if (k === null || k === undefined || v === null || v === undefined) continue;
    const key = k.toLowerCase();
    if (isIdField(key) && !out.has(key)) out.set(key, cleanText(v, 128).trim());
  }
  return out;
}

function idFacts(list: string, p: Packet, ctx: AppContext): void {
  const id = parseImapId(list);
  const me = srcRef(p);
  for (const [k, v] of id)
    if (v !== '') em.attribute(ctx, p, { device: me, field: 'id', key: ID_FIELDS[k], value: v });
  const name = id.get('name');
  if (name !== undefined && name !== '') {
    const version = id.get('version');
    em.software(ctx, p, {
      device: me,
      field: 'id',
      product: name,
      version: version === undefined || version === '' ? null : version,
      raw: cleanText(list, 512),
    });
  }
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = withNtlmssp({
  fields: ['greeting', 'id'],
  keys: {
    attribute: [
      'imap-banner',
      'imap-id.name',
      'imap-id.os',
      'imap-id.os-version',
      'imap-id.vendor',
      'imap-id.version',
    ],
    role: ['imap-client', 'imap-server'],
  },
} as const);

export const imap: AppProtocol = {
  name: 'imap',
  group: 'it',
  emits: { imap: VOCABULARY },
  tcpPorts: PORTS,
  dissect: dissectImap,
};

import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import type { IdentityAttribute } from '../../model/observation';
import { ipv6ToString } from '../../util/addr';
import { dstRef, ipRef, srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { nameEnd, readName } from './dns-name';
import { Emitter } from '../common/emit';

/**
 * DNS (53), multicast DNS / DNS-SD (5353) and LLMNR (5355): one message format, three meanings.
 * Unicast DNS answers bind names to addresses owned by someone else; mDNS and LLMNR responders
 * answer for themselves, so their A/AAAA/SRV/TXT records describe the sender.
 */
const MAX_QUESTIONS = 32;
const MAX_RECORDS = 128;
const MAX_TXT_STRINGS = 64;

const T_A = 1;
const T_PTR = 12;
const T_HINFO = 13;
const T_TXT = 16;
const T_AAAA = 28;
const T_SRV = 33;

type Flavor = 'dns' | 'mdns' | 'llmnr';

/** One parser, three protocol names. */
const EM: Record<Flavor, Emitter<typeof VOCABULARY>> = {
  dns: new Emitter<typeof VOCABULARY>('dns'),
  mdns: new Emitter<typeof VOCABULARY>('mdns'),
  llmnr: new Emitter<typeof VOCABULARY>('llmnr'),
};

/** TXT keys that carry identity (DNS-SD conventions: printers' IPP TXT, Apple's model keys). */
const TXT_IDENTITY: Record<string, IdentityAttribute> = {
  model: 'model',
  md: 'model',
  am: 'model',
  usb_mdl: 'model',
  ty: 'product',
  product: 'product',
  usb_mfg: 'vendor',
  manufacturer: 'vendor',
  mfg: 'vendor',
  fn: 'instance',
  serialnumber: 'serial',
  sn: 'serial',
  osxvers: 'os-version',
  fv: 'firmware',
  fw: 'firmware',
};

const rd = new ByteWindow();

/** The address a reverse-lookup name stands for (in-addr.arpa, or 32 nibbles of ip6.arpa), or null. */
export function reverseToIp(name: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.?$/i.exec(name);
  if (m !== null) {
    const parts = [m[4], m[3], m[2], m[1]].map(Number);
    return parts.some((x) => x > 255) ? null : parts.join('.');
  }
  if (!/^([0-9a-f]\.){32}ip6\.arpa\.?$/i.test(name)) return null;
  // 32 nibbles and the 31 dots between them; the dot after the last belongs to "ip6.arpa".
  const nib = name.slice(0, 63).split('.').reverse();
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = parseInt(nib[2 * i]! + nib[2 * i + 1]!, 16);
  return ipv6ToString(b, 0);
}

/** Parse one DNS message in `w` and emit what it says. Returns false when the header does not validate. */
export function dissectDnsMessage(w: ByteWindow, p: Packet, ctx: AppContext, flavor: Flavor): boolean {
  if (w.length < 12) return false;
  const flags = w.u16(2);
  const qr = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const rcode = flags & 0xf;
  const qd = w.u16(4);
  const an = w.u16(6);
  const ns = w.u16(8);
  const ar = w.u16(10);
  if (opcode > 6 || opcode === 3) return false;
  if (qd + an + ns + ar === 0 || qd > 256 || an + ns + ar > 4096) return false;
  if (flavor !== 'mdns' && !qr && qd !== 1) return false;

  const proto = flavor;
  const me = srcRef(p);
  let o = 12;
  const queries: string[] = [];
  for (let i = 0; i < qd; i++) {
    // Only a query's first questions are kept; the rest are checked and skipped, with no string.
    if (!qr && i < MAX_QUESTIONS) {
      const r = readName(w, o);
      if (r === null || !w.has(r.next, 4)) return i > 0;
      o = r.next + 4;
      queries.push(r.name);
    } else {
      const next = nameEnd(w, o);
      if (next < 0 || !w.has(next, 4)) return i > 0;
      o = next + 4;
    }
  }

  if (qr) {
    if (flavor === 'dns') {
      EM[proto].role(ctx, p, { device: me, field: 'flags.qr', role: 'dns-server', peer: dstRef(p) });
    } else if (flavor === 'mdns') {
      EM[proto].role(ctx, p, { device: me, field: 'flags.qr', role: 'mdns-responder', peer: null });
    }
  } else {
    for (const q of queries)
      EM[proto].nameQuery(ctx, p, { device: me, field: 'qname', name: cleanText(q, 255) });
  }

  // Records: answers and additionals of a response; the authority section of an mDNS query is a
  // probe for names the sender wants for itself. Known answers in mDNS queries belong to others.
  const total = an + ns + ar;
  for (let i = 0; i < total && i < MAX_RECORDS; i++) {
    const section = i < an ? 'an' : i < an + ns ? 'ns' : 'ar';
    const own = qr ? section !== 'ns' || flavor === 'dns' : flavor === 'mdns' && section === 'ns';
    // Records not the sender's own are checked and skipped: their names are never made.
    const keep = own && !(qr && rcode !== 0);
    const r = keep ? readName(w, o) : null;
    const next = keep ? (r === null ? -1 : r.next) : nameEnd(w, o);
    if (next < 0 || !w.has(next, 10)) break;
    const type = w.u16(next);
    const rdlen = w.u16(next + 8);
    const rdo = next + 10;
    o = rdo + rdlen;
    if (!w.has(rdo, rdlen)) break;
    if (r === null) continue;
    const name = cleanText(r.name, 255);
    const field = section === 'an' ? 'answer' : section === 'ns' ? 'authority' : 'additional';
    emitRecord(w, p, ctx, flavor, type, name, rdo, rdlen, field, qr);
  }
  return true;
}

function emitRecord(
  w: ByteWindow,
  p: Packet,
  ctx: AppContext,
  flavor: Flavor,
  type: number,
  name: string,
  rdo: number,
  rdlen: number,
  section: (typeof SECTIONS)[number],
  qr: boolean,
): void {
  const proto = flavor;
  const self = flavor !== 'dns';
  const me = srcRef(p);
  switch (type) {
    case T_A:
    case T_AAAA: {
      let ip: string;
      if (type === T_A && rdlen === 4) {
        const b = w.bytes(rdo, 4);
        ip = b[0] + '.' + b[1] + '.' + b[2] + '.' + b[3];
      } else if (type === T_AAAA && rdlen === 16) ip = ipv6ToString(w.bytes(rdo, 16), 0);
      else return;
      const field = type === T_A ? (`A.${section}` as const) : (`AAAA.${section}` as const);
      if (self) {
        EM[proto].hostname(ctx, p, { device: me, field, name });
        EM[proto].address(ctx, p, { device: { mac: me.mac, ip }, field, ip, name });
      } else {
        EM[proto].address(ctx, p, { device: ipRef(ip), field, ip, name });
      }
      return;
    }
    case T_PTR: {
      const t = readName(w, rdo);
      if (t === null) return;
      const target = cleanText(t.name, 255);
      const rev = reverseToIp(name);
      if (rev !== null) {
        if (self) EM[proto].hostname(ctx, p, { device: me, field: `PTR.${section}`, name: target });
        EM[proto].address(ctx, p, {
          device: self ? { mac: me.mac, ip: rev } : ipRef(rev),
          field: `PTR.${section}`,
          ip: rev,
          name: target,
        });
        return;
      }
      if (!self) return;
      if (name.startsWith('_services._dns-sd._udp.')) {
        EM[proto].attribute(ctx, p, {
          device: me,
          field: `PTR.${section}`,
          key: 'service-type',
          value: target,
        });
      } else {
        EM[proto].attribute(ctx, p, {
          device: me,
          field: `PTR.${section}`,
          key: 'service-instance',
          value: target,
        });
      }
      return;
    }
    case T_SRV: {
      if (rdlen < 7 || !self) return;
      const port = w.u16(rdo + 4);
      const t = readName(w, rdo + 6);
      if (t === null) return;
      const transport = /\._udp\./i.test(name) ? 'udp' : 'tcp';
      EM[proto].service(ctx, p, { device: me, field: `SRV.${section}`, transport, port, name });
      if (t.name !== '.')
        EM[proto].hostname(ctx, p, { device: me, field: 'SRV.target', name: cleanText(t.name, 255) });
      return;
    }
    case T_TXT: {
      if (!self || !qr) return;
      w.sub(rd, rdo, rdlen);
      let k = 0;
      for (let n = 0; k < rd.length && n < MAX_TXT_STRINGS; n++) {
        const len = rd.u8(k);
        if (len === 0 || !rd.has(k + 1, len)) {
          k += 1 + len;
          continue;
        }
        const s = cleanText(rd.utf8(k + 1, len, 255), 255);
        k += 1 + len;
        const eq = s.indexOf('=');
        const key = (eq < 0 ? s : s.slice(0, eq)).toLowerCase();
        const value = eq < 0 ? '' : s.slice(eq + 1);
        if (key === '') continue;
        const attr = TXT_IDENTITY[key];
        if (attr !== undefined && value !== '') {
          EM[proto].identity(ctx, p, { device: me, field: `TXT.${key}`, attr, value });
        }
        EM[proto].attribute(ctx, p, { device: me, field: 'TXT', key: `txt.${key}`, value, keepEmpty: true });
      }
      return;
    }
    case T_HINFO: {
      if (!self) return;
      w.sub(rd, rdo, rdlen);
      const cl = rd.u8(0);
      const cpu = cleanText(rd.ascii(1, cl, 255));
      const ol = rd.u8(1 + cl);
      const os = cleanText(rd.ascii(2 + cl, ol, 255));
      if (cpu !== '')
        EM[proto].identity(ctx, p, { device: me, field: 'HINFO.cpu', attr: 'hardware', value: cpu });
      if (os !== '') EM[proto].identity(ctx, p, { device: me, field: 'HINFO.os', attr: 'os', value: os });
      return;
    }
    default:
      return;
  }
}

const tcpMsg = new ByteWindow();

const SECTIONS = ['answer', 'authority', 'additional'] as const;

/** What DNS, mDNS and LLMNR observations can carry (one parser): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'qname',
    'flags.qr',
    ...(['A', 'AAAA', 'PTR', 'SRV'] as const).flatMap((t) => SECTIONS.map((s) => `${t}.${s}` as const)),
    'SRV.target',
    'TXT',
    ...Object.keys(TXT_IDENTITY).map((k) => `TXT.${k}` as const),
    'HINFO.cpu',
    'HINFO.os',
  ],
  keys: {
    attribute: ['service-instance', 'service-type', 'txt.*'],
    identity: ['hardware', 'os', ...new Set(Object.values(TXT_IDENTITY))],
    role: ['dns-server', 'mdns-responder'],
    // Service names are the instance names devices announce.
    service: ['*'],
  },
} as const satisfies Vocabulary;

export const dns: AppProtocol = {
  name: 'dns',
  group: 'it',
  emits: { dns: VOCABULARY },
  udpPorts: [53],
  tcpPorts: [53],
  dissect(w, p, ctx) {
    if (p.ipProto === 6) {
      // DNS over TCP: a two-byte length prefix; only a message that starts the segment is read.
      const len = w.u16(0);
      if (len < 12) return false;
      return dissectDnsMessage(w.sub(tcpMsg, 2, len), p, ctx, 'dns');
    }
    return dissectDnsMessage(w, p, ctx, 'dns');
  },
};

export const mdns: AppProtocol = {
  name: 'mdns',
  group: 'it',
  emits: { mdns: VOCABULARY },
  udpPorts: [5353],
  dissect: (w, p, ctx) => dissectDnsMessage(w, p, ctx, 'mdns'),
};

export const llmnr: AppProtocol = {
  name: 'llmnr',
  group: 'it',
  emits: { llmnr: VOCABULARY },
  udpPorts: [5355],
  tcpPorts: [5355],
  dissect(w, p, ctx) {
    if (p.ipProto === 6) {
      const len = w.u16(0);
      if (len < 12) return false;
      return dissectDnsMessage(w.sub(tcpMsg, 2, len), p, ctx, 'llmnr');
    }
    return dissectDnsMessage(w, p, ctx, 'llmnr');
  },
};

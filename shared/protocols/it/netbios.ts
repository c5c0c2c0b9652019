import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { ipv4ToString, macFromBytes, macToString } from '../../util/addr';
import { ipRef, srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { readName } from './dns-name';
import { Emitter } from '../common/emit';
import { hexBits, hexDigits } from '../common/hex';

const emNbns = new Emitter<typeof NBNS_VOCABULARY>('nbns');
const emBrowser = new Emitter<typeof BROWSER_VOCABULARY>('browser');

/**
 * NetBIOS name service (RFC 1002, udp 137): names a host registers, answers with their addresses,
 * node-status tables; and NetBIOS datagrams (udp 138) carrying SMB browser announcements
 * (\MAILSLOT\BROWSE): host names, workgroup, announced OS version and server type bits.
 */

/** A decoded NetBIOS name: 15 characters (trailing blanks removed) and the 16th byte, the suffix. */
export interface NbName {
  name: string;
  suffix: number;
}

/** Decode the first-level encoding (RFC 1001 14.1): 32 letters 'A'..'P' to 16 bytes. */
export function decodeNbName(encoded: string): NbName | null {
  if (encoded.length < 32) return null;
  let s = '';
  let suffix = 0;
  for (let i = 0; i < 32; i += 2) {
    const hi = encoded.charCodeAt(i) - 0x41;
    const lo = encoded.charCodeAt(i + 1) - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return null;
    const c = (hi << 4) | lo;
    if (i === 30) suffix = c;
    // Unprintable bytes are shown as <xx>, the way Wireshark shows them.
    else s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '<' + hexDigits(c, 2) + '>';
  }
  return { name: cleanText(s.replace(/ +$/, ''), 64), suffix };
}

const OPCODES = ['query', '', '', '', '', 'registration', 'release', 'wack', 'refresh', 'refresh'] as const;

function dissectNbns(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  if (w.length < 12) return false;
  const flags = w.u16(2);
  const qr = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const rcode = flags & 0xf;
  const qd = w.u16(4);
  const an = w.u16(6);
  const ns = w.u16(8);
  const ar = w.u16(10);
  if (opcode >= OPCODES.length || OPCODES[opcode] === '') return false;
  if (qd > 1 || an > 16 || ns > 16 || ar > 16 || qd + an + ns + ar === 0) return false;
  const me = srcRef(p);
  let o = 12;
  if (qd === 1) {
    const r = readName(w, o);
    if (r === null || !w.has(r.next, 4)) return false;
    const nb = decodeNbName(r.name);
    if (nb === null) return false;
    const qtype = w.u16(r.next);
    o = r.next + 4;
    if (!qr && opcode === 0 && qtype === 0x20 && nb.name !== '*') {
      emNbns.nameQuery(ctx, p, {
        device: me,
        field: 'question',
        name: nb.name + '<' + hexDigits(nb.suffix, 2) + '>',
      });
    }
  }
  for (let i = 0; i < an + ns + ar && i < 48; i++) {
    const r = readName(w, o);
    if (r === null || !w.has(r.next, 10)) return true;
    const type = w.u16(r.next);
    const rdlen = w.u16(r.next + 8);
    const rdo = r.next + 10;
    o = rdo + rdlen;
    const nb = decodeNbName(r.name);
    if (nb === null || !w.has(rdo, rdlen)) return true;
    if (
      type === 0x20 &&
      (opcode === 5 || opcode === 8 || opcode === 9 || (qr && opcode === 0 && rcode === 0))
    ) {
      // NB records: flags (group bit) then IPv4 addresses.
      for (let k = 0; k + 6 <= rdlen && k < 6 * 16; k += 6) {
        const group = (w.u16(rdo + k) & 0x8000) !== 0;
        const ip = ipv4ToString(w.u32(rdo + k + 2));
        const selfIp = p.ipVersion === 4 && w.u32(rdo + k + 2) === p.src4;
        const field = qr ? 'response.NB' : (`${OPCODES[opcode]!}.NB` as const);
        const dev = selfIp ? me : ipRef(ip);
        if (group) {
          if (nb.suffix === 0x00 || nb.suffix === 0x1e || nb.suffix === 0x1d)
            emNbns.identity(ctx, p, { device: dev, field, attr: 'workgroup', value: nb.name });
        } else {
          if (nb.suffix === 0x00 || nb.suffix === 0x20)
            emNbns.hostname(ctx, p, { device: dev, field, name: nb.name });
          emNbns.address(ctx, p, { device: dev, field, ip, name: nb.name });
        }
      }
    } else if (type === 0x21 && qr && rcode === 0) {
      // NBSTAT: the node's name table and its MAC ("unit id").
      const count = w.u8(rdo);
      let k = rdo + 1;
      for (let n = 0; n < count && n < 64 && w.has(k, 18); n++, k += 18) {
        const name = cleanText(w.ascii(k, 15).replace(/ +$/, ''), 15);
        const suffix = w.u8(k + 15);
        const group = (w.u16(k + 16) & 0x8000) !== 0;
        if (name === '') continue;
        if (group && suffix === 0x00)
          emNbns.identity(ctx, p, { device: me, field: 'NBSTAT', attr: 'workgroup', value: name });
        else if (!group && suffix === 0x00) emNbns.hostname(ctx, p, { device: me, field: 'NBSTAT', name });
      }
      if (w.has(k, 6)) {
        const unit = macFromBytes(w.bytes(k, 6), 0);
        if (unit > 0)
          emNbns.attribute(ctx, p, {
            device: me,
            field: 'NBSTAT.unitId',
            key: 'unit-id',
            value: macToString(unit),
          });
      }
    }
  }
  return true;
}

/** What NetBIOS name service observations can carry: rules are checked against it. */
const NBNS_VOCABULARY = {
  fields: [
    'question',
    'response.NB',
    ...OPCODES.filter((o) => o !== '').map((o) => `${o}.NB` as const),
    'NBSTAT',
    'NBSTAT.unitId',
  ],
  keys: { attribute: ['unit-id'], identity: ['workgroup'] },
} as const satisfies Vocabulary;

export const nbns: AppProtocol = {
  name: 'nbns',
  group: 'it',
  emits: { nbns: NBNS_VOCABULARY },
  udpPorts: [137],
  dissect: dissectNbns,
};

/** Browser server-type bits ([MS-BRWS] 2.2.1.1.2 / SV_TYPE_*), for a readable attribute. */
const SERVER_TYPES: [number, string][] = [
  [0x1, 'workstation'],
  [0x2, 'server'],
  [0x4, 'sql-server'],
  [0x8, 'domain-controller'],
  [0x10, 'backup-domain-controller'],
  [0x20, 'time-source'],
  [0x40, 'apple'],
  [0x80, 'novell'],
  [0x100, 'domain-member'],
  [0x200, 'print-server'],
  [0x400, 'dialin-server'],
  [0x800, 'xenix'],
  [0x1000, 'nt-workstation'],
  [0x2000, 'wfw'],
  [0x8000, 'nt-server'],
  [0x10000, 'potential-browser'],
  [0x20000, 'backup-browser'],
  [0x40000, 'master-browser'],
  [0x80000, 'domain-master-browser'],
  [0x400000, 'windows-95+'],
  [0x800000, 'dfs'],
];

export function serverTypeNames(bits: number): string {
  const out: string[] = [];
  for (const [b, n] of SERVER_TYPES) if ((bits & b) !== 0) out.push(n);
  return out.join(',');
}

const smb = new ByteWindow();

function dissectDatagram(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const type = w.u8(0);
  if (type < 0x10 || type > 0x16 || w.length < 10) return false;
  if (type > 0x12) return true; // error / query datagrams: nothing to learn
  if (w.length < 14) return false;
  const srcName = readName(w, 14);
  if (srcName === null) return false;
  const dstName = readName(w, srcName.next);
  if (dstName === null) return true;
  const src = decodeNbName(srcName.name);
  const dst = decodeNbName(dstName.name);
  const me = srcRef(p);
  if (src === null) return true;
  w.sub(smb, dstName.next);
  // SMB1 Transaction to \MAILSLOT\BROWSE.
  if (smb.u32(0) !== 0xff534d42 || smb.u8(4) !== 0x25) return true;
  const wct = smb.u8(32);
  if (wct < 14) return true;
  const dataCount = smb.u16le(33 + 11 * 2);
  const dataOffset = smb.u16le(33 + 12 * 2);
  const bytesStart = 33 + wct * 2 + 2;
  const mailslot = smb.ascii(bytesStart, 32);
  if (!/^\\MAILSLOT\\BROWSE/i.test(mailslot)) return true;
  const d = dataOffset;
  if (!smb.has(d, 1) || dataCount < 1) return true;
  const cmd = smb.u8(d);
  // HostAnnouncement (1), DomainAnnouncement (0x0c), LocalMasterAnnouncement (0x0f).
  if (cmd !== 0x01 && cmd !== 0x0c && cmd !== 0x0f) return true;
  if (!smb.has(d, 32)) return true;
  const server = cleanText(smb.ascii(d + 6, 16), 16);
  const major = smb.u8(d + 22);
  const minor = smb.u8(d + 23);
  const stype = smb.u32le(d + 24);
  const nul = smb.indexOf(0, d + 32);
  const commentEnd = nul < 0 ? smb.length : nul;
  const comment = cleanText(smb.ascii(d + 32, commentEnd - (d + 32), 256));
  const field =
    cmd === 0x0c ? 'DomainAnnouncement' : cmd === 0x0f ? 'LocalMasterAnnouncement' : 'HostAnnouncement';
  if (cmd === 0x0c) {
    if (server !== '')
      emBrowser.identity(ctx, p, { device: me, field: `${field}.domain`, attr: 'workgroup', value: server });
    return true;
  }
  if (server !== '') emBrowser.hostname(ctx, p, { device: me, field: `${field}.serverName`, name: server });
  emBrowser.identity(ctx, p, {
    device: me,
    field: `${field}.osVersion`,
    attr: 'os-version',
    value: major + '.' + minor,
  });
  emBrowser.attribute(ctx, p, {
    device: me,
    field: `${field}.serverType`,
    key: 'server-type',
    value: serverTypeNames(stype),
  });
  // Each SV_TYPE bit as [MS-BRWS] writes it, so rules match the bit rather than our name for it.
  for (const code of hexBits(stype, 32))
    emBrowser.attribute(ctx, p, {
      device: me,
      field: `${field}.serverType`,
      key: 'server-type-bit',
      value: code,
    });
  if (comment !== '')
    emBrowser.identity(ctx, p, {
      device: me,
      field: `${field}.comment`,
      attr: 'description',
      value: comment,
    });
  if (dst !== null && (dst.suffix === 0x1d || dst.suffix === 0x1e) && dst.name !== '') {
    emBrowser.identity(ctx, p, {
      device: me,
      field: `${field}.destination`,
      attr: 'workgroup',
      value: dst.name,
    });
  }
  if ((stype & 0x40000) !== 0)
    emBrowser.role(ctx, p, { device: me, field, role: 'master-browser', peer: null });
  return true;
}

const ANNOUNCEMENTS = ['HostAnnouncement', 'DomainAnnouncement', 'LocalMasterAnnouncement'] as const;

/** What browser announcements (over NetBIOS datagrams) can carry: rules are checked against it. */
const BROWSER_VOCABULARY = {
  fields: ANNOUNCEMENTS.flatMap((a) => [
    a,
    ...(['domain', 'serverName', 'osVersion', 'serverType', 'comment', 'destination'] as const).map(
      (f) => `${a}.${f}` as const,
    ),
  ]),
  keys: {
    attribute: ['server-type', 'server-type-bit'],
    identity: ['description', 'os-version', 'workgroup'],
    role: ['master-browser'],
  },
} as const satisfies Vocabulary;

export const nbdgm: AppProtocol = {
  name: 'nbdgm',
  group: 'it',
  emits: { browser: BROWSER_VOCABULARY },
  udpPorts: [138],
  dissect: dissectDatagram,
};

import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import type { IdentityAttribute } from '../../model/observation';
import { ipv4ToString } from '../../util/addr';
import { dstRef, ipRef, srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { readTlv, type Tlv } from './der';
import { Emitter, type FieldOf, type KeyOf } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('snmp');

/**
 * SNMP v1/v2c (udp 161/162): system-group values from responses (sysDescr, sysObjectID, sysName,
 * sysLocation, sysContact), v1 trap enterprise and agent address, and the finding that a community
 * string travelled in clear (never the string itself). BER through the bounded TLV reader, fixed
 * nesting (message > PDU > varbind list > varbind), no recursion.
 */
const MAX_VARBINDS = 64;

/** Dotted OID text; bounded arcs. */
export function oidText(w: ByteWindow, t: Tlv): string {
  let s = '';
  let v = 0;
  let first = true;
  let arcs = 0;
  for (let i = 0; i < t.len && i < 128 && arcs < 64; i++) {
    const b = w.u8(t.vo + i);
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 256) return s;
    if ((b & 0x80) !== 0) continue;
    if (first) {
      const x = v < 40 ? 0 : v < 80 ? 1 : 2;
      s = x + '.' + (v - 40 * x);
      first = false;
    } else s += '.' + v;
    arcs++;
    v = 0;
  }
  return s;
}

function intValue(w: ByteWindow, t: Tlv): number {
  if (t.len < 1 || t.len > 6) return -1;
  let v = w.u8(t.vo) & 0x80 ? -1 : 0;
  for (let i = 0; i < t.len; i++) v = v * 256 + w.u8(t.vo + i);
  return v;
}

const SYSTEM: Record<
  string,
  {
    field: FieldOf<typeof VOCABULARY>;
    attr: (IdentityAttribute & KeyOf<typeof VOCABULARY, 'identity'>) | 'hostname' | 'oid';
  }
> = {
  '1.3.6.1.2.1.1.1.0': { field: 'sysDescr', attr: 'description' },
  '1.3.6.1.2.1.1.2.0': { field: 'sysObjectID', attr: 'oid' },
  '1.3.6.1.2.1.1.4.0': { field: 'sysContact', attr: 'contact' },
  '1.3.6.1.2.1.1.5.0': { field: 'sysName', attr: 'hostname' },
  '1.3.6.1.2.1.1.6.0': { field: 'sysLocation', attr: 'location' },
};

export function dissectSnmp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const msg = readTlv(w, 0, w.length);
  if (msg === null || msg.tag !== 0x30) return false;
  const ver = readTlv(w, msg.vo, msg.end);
  if (ver === null || ver.tag !== 0x02) return false;
  const version = intValue(w, ver);
  if (version !== 0 && version !== 1 && version !== 3) return false;
  const me = srcRef(p);
  if (version === 3) return dissectV3(w, msg, ver, p, ctx);
  const comm = readTlv(w, ver.end, msg.end);
  if (comm === null || comm.tag !== 0x04) return false;
  const pdu = readTlv(w, comm.end, msg.end);
  if (pdu === null || pdu.tag < 0xa0 || pdu.tag > 0xa8) return false;

  const c = w.ascii(comm.vo, comm.len, 64);
  const first = c.length > 0 && c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f ? c[0] : '?';
  em.finding(ctx, p, {
    device: me,
    field: 'community',
    finding: 'snmp-community-cleartext',
    detail:
      'SNMPv' +
      (version === 0 ? '1' : '2c') +
      ' community string sent in clear (' +
      comm.len +
      ' chars, starts ' +
      "'" +
      first +
      "')",
  });
  dissectPdu(w, pdu, p, ctx);
  return true;
}

/**
 * SNMPv3 (RFC 3412): without the privacy flag the scoped PDU travels in clear and is read like v1/v2c;
 * that is itself worth a finding. Encrypted PDUs only mark the version.
 */
function dissectV3(w: ByteWindow, msg: Tlv, ver: Tlv, p: Packet, ctx: AppContext): boolean {
  const me = srcRef(p);
  const global = readTlv(w, ver.end, msg.end);
  if (global === null || global.tag !== 0x30) return false;
  let t: Tlv | null = readTlv(w, global.vo, global.end);
  for (let i = 0; i < 2 && t !== null; i++) t = readTlv(w, t.end, global.end);
  if (t === null || t.tag !== 0x04 || t.len !== 1) return false;
  const flags = w.u8(t.vo);
  const secParams = readTlv(w, global.end, msg.end);
  if (secParams === null || secParams.tag !== 0x04) return false;
  em.attribute(ctx, p, { device: me, field: 'version', key: 'snmp-version', value: '3' });
  if ((flags & 0x02) !== 0) return true;
  em.finding(ctx, p, {
    device: me,
    field: 'msgFlags',
    finding: 'snmpv3-no-privacy',
    detail:
      'SNMPv3 without encryption (' +
      ((flags & 0x01) !== 0 ? 'authNoPriv' : 'noAuthNoPriv') +
      '): values travel in clear',
  });
  const scoped = readTlv(w, secParams.end, msg.end);
  if (scoped === null || scoped.tag !== 0x30) return true;
  let u: Tlv | null = readTlv(w, scoped.vo, scoped.end);
  u = u === null ? null : readTlv(w, u.end, scoped.end);
  const pdu = u === null ? null : readTlv(w, u.end, scoped.end);
  if (pdu !== null && pdu.tag >= 0xa0 && pdu.tag <= 0xa8) dissectPdu(w, pdu, p, ctx);
  return true;
}

function dissectPdu(w: ByteWindow, pdu: Tlv, p: Packet, ctx: AppContext): void {
  const me = srcRef(p);
  const pduType = pdu.tag & 0x1f;

  const isRequest = pduType === 0 || pduType === 1 || pduType === 3 || pduType === 5;
  if (isRequest) {
    em.role(ctx, p, { device: me, field: 'pdu', role: 'snmp-manager', peer: dstRef(p) });
    em.role(ctx, p, { device: dstRef(p), field: 'pdu', role: 'snmp-agent', peer: me });
    return;
  }
  let vbStart: number;
  let agent = me;
  if (pduType === 4) {
    // SNMPv1 Trap: enterprise, agent-addr, generic, specific, time-stamp, varbinds.
    const ent = readTlv(w, pdu.vo, pdu.end);
    if (ent === null || ent.tag !== 0x06) return;
    const addr = readTlv(w, ent.end, pdu.end);
    if (addr === null) return;
    if (addr.tag === 0x40 && addr.len === 4) {
      const ip = ipv4ToString(w.u32(addr.vo));
      agent = p.ipVersion === 4 && w.u32(addr.vo) === p.src4 ? me : ipRef(ip);
    }
    em.attribute(ctx, p, {
      device: agent,
      field: 'trap.enterprise',
      key: 'snmp-enterprise',
      value: oidText(w, ent),
    });
    em.role(ctx, p, { device: agent, field: 'trap', role: 'snmp-agent', peer: dstRef(p) });
    let t: Tlv | null = addr;
    for (let i = 0; i < 3 && t !== null; i++) t = readTlv(w, t.end, pdu.end);
    if (t === null) return;
    vbStart = t.end;
  } else {
    // request-id, error-status, error-index, varbinds.
    let t: Tlv | null = readTlv(w, pdu.vo, pdu.end);
    for (let i = 0; i < 2 && t !== null; i++) t = readTlv(w, t.end, pdu.end);
    if (t === null) return;
    vbStart = t.end;
    if (pduType === 2)
      em.role(ctx, p, { device: me, field: 'response', role: 'snmp-agent', peer: dstRef(p) });
  }
  const list = readTlv(w, vbStart, pdu.end);
  if (list === null || list.tag !== 0x30) return;
  let o = list.vo;
  for (let i = 0; i < MAX_VARBINDS && o < list.end; i++) {
    const vb = readTlv(w, o, list.end);
    if (vb === null || vb.tag !== 0x30) break;
    o = vb.end;
    const name = readTlv(w, vb.vo, vb.end);
    if (name === null || name.tag !== 0x06) continue;
    const val = readTlv(w, name.end, vb.end);
    if (val === null) continue;
    const known = SYSTEM[oidText(w, name)];
    if (known === undefined) continue;
    const field = known.field;
    if (known.attr === 'oid') {
      if (val.tag === 0x06)
        em.attribute(ctx, p, { device: agent, field, key: 'sysObjectID', value: oidText(w, val) });
      continue;
    }
    if (val.tag !== 0x04) continue;
    const text = cleanText(w.utf8(val.vo, val.len, 1024), 1024);
    if (text === '') continue;
    if (known.attr === 'hostname') em.hostname(ctx, p, { device: agent, field, name: text });
    else em.identity(ctx, p, { device: agent, field, attr: known.attr, value: text });
  }
  return;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'community',
    'msgFlags',
    'pdu',
    'response',
    'sysContact',
    'sysDescr',
    'sysLocation',
    'sysName',
    'sysObjectID',
    'trap',
    'trap.enterprise',
    'version',
  ],
  keys: {
    attribute: ['snmp-enterprise', 'snmp-version', 'sysObjectID'],
    finding: ['snmp-community-cleartext', 'snmpv3-no-privacy'],
    identity: ['contact', 'description', 'hostname', 'location', 'oid'],
    role: ['snmp-agent', 'snmp-manager'],
  },
} as const satisfies Vocabulary;

export const snmp: AppProtocol = {
  name: 'snmp',
  group: 'it',
  emits: { snmp: VOCABULARY },
  udpPorts: [161, 162],
  dissect: dissectSnmp,
};

import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import type { DeviceRef } from '../../model/observation';
import { ipv6ToString, macToString } from '../../util/addr';
import { dstRef, srcRef } from '../common/refs';
import { cleanText, wireText } from '../common/text';
import { readName } from './dns-name';
import { Emitter } from '../common/emit';
import { hexBytes } from '../common/hex';

const em = new Emitter<typeof VOCABULARY>('dhcpv6');

/**
 * DHCPv6 (RFC 8415, udp 546/547): the client's DUID (with the link-layer address or enterprise
 * number inside it), FQDN (39), vendor class (16), option request list (6, a fingerprint) and the
 * addresses a server assigns (IA_NA / IA_TA). Relayed messages (RELAY-FORW/-REPL, 12/13) are
 * unwrapped: the inner message is about the client at the relay's peer-address, with its MAC when
 * the relay added the client link-layer address option (79, RFC 6939); the sender is a relay.
 */
const CLIENT_MSGS = new Set([1, 3, 4, 5, 6, 8, 9, 11]);
const SERVER_MSGS = new Set([2, 7, 10]);
const RELAY_FORW = 12;
const RELAY_REPL = 13;
/** Relays in a chain we follow (RFC 8415 allows 32 hops; real chains are one or two). */
const MAX_RELAY_DEPTH = 8;
const MAX_OPTIONS = 64;

const name = new ByteWindow();
const inner: ByteWindow[] = Array.from({ length: MAX_RELAY_DEPTH }, () => new ByteWindow());

export function dissectDhcpv6(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const type = w.u8(0);
  if (type === RELAY_FORW || type === RELAY_REPL) return relayed(w, p, ctx, 0);
  const fromServer = SERVER_MSGS.has(type);
  return message(w, p, ctx, srcRef(p), fromServer ? dstRef(p) : srcRef(p));
}

/**
 * A relay message: hop count, link address, peer address (the client, or the relay nearer to it),
 * then options; option 9 holds the relayed message. The sender of a RELAY-FORW is a relay; the
 * server answers the relay with a RELAY-REPL.
 */
function relayed(w: ByteWindow, p: Packet, ctx: AppContext, depth: number): boolean {
  if (w.length < 34 || depth >= MAX_RELAY_DEPTH) return false;
  const forw = w.u8(0) === RELAY_FORW;
  const peer = ipv6ToString(w.bytes(18, 16), 0);
  let mac: number | null = null;
  let msg = -1;
  let msgLen = 0;
  let o = 34;
  for (let i = 0; i < MAX_OPTIONS && w.has(o, 4); i++) {
    const code = w.u16(o);
    const len = w.u16(o + 2);
    if (!w.has(o + 4, len)) return false;
    if (code === 9) {
      msg = o + 4;
      msgLen = len;
    } else if (code === 79 && len === 8 && w.u16(o + 4) === 1) mac = w.u48(o + 6);
    o += 4 + len;
  }
  if (msg < 0 || msgLen < 4) return false;
  if (depth === 0 && forw)
    em.role(ctx, p, { device: srcRef(p), field: 'relay', role: 'dhcpv6-relay', peer: dstRef(p) });
  const m = w.sub(inner[depth]!, msg, msgLen);
  const t = m.u8(0);
  if (t === RELAY_FORW || t === RELAY_REPL) return relayed(m, p, ctx, depth + 1);
  const client = { mac: mac !== null ? macToString(mac) : null, ip: peer };
  // The server of a relayed exchange is whoever answers the relay: the RELAY-REPL's sender.
  const server = forw ? dstRef(p) : srcRef(p);
  return message(m, p, ctx, server, client);
}

function message(w: ByteWindow, p: Packet, ctx: AppContext, server: DeviceRef, client: DeviceRef): boolean {
  const type = w.u8(0);
  if (w.length < 4 || (!CLIENT_MSGS.has(type) && !SERVER_MSGS.has(type))) return false;
  const fromServer = SERVER_MSGS.has(type);
  if (fromServer) em.role(ctx, p, { device: server, field: 'msg-type', role: 'dhcpv6-server', peer: client });
  let o = 4;
  for (let i = 0; i < MAX_OPTIONS && w.has(o, 4); i++) {
    const code = w.u16(o);
    const len = w.u16(o + 2);
    const v = o + 4;
    o = v + len;
    if (!w.has(v, len)) return i > 0;
    switch (code) {
      case 1: {
        if (len < 2) break;
        em.attribute(ctx, p, { device: client, field: 'option1', key: 'duid', value: hexBytes(w, v, len) });
        const duidType = w.u16(v);
        if ((duidType === 1 || duidType === 3) && w.u16(v + 2) === 1) {
          const at = v + (duidType === 1 ? 8 : 4);
          if (v + len - at === 6)
            em.attribute(ctx, p, {
              device: client,
              field: 'option1.lladdr',
              key: 'duid-lladdr',
              value: macToString(w.u48(at)),
            });
        } else if (duidType === 2 && len >= 6) {
          em.attribute(ctx, p, {
            device: client,
            field: 'option1.enterprise',
            key: 'duid-enterprise',
            value: String(w.u32(v + 2)),
          });
        } else if (duidType === 4 && len === 18) {
          const h = hexBytes(w, v + 2, 16);
          const uuid =
            h.slice(0, 8) +
            '-' +
            h.slice(8, 12) +
            '-' +
            h.slice(12, 16) +
            '-' +
            h.slice(16, 20) +
            '-' +
            h.slice(20);
          em.identity(ctx, p, { device: client, field: 'option1.uuid', attr: 'uuid', value: uuid });
        }
        break;
      }
      case 6: {
        if (fromServer) break;
        let s = '';
        for (let k = 0; k + 1 < len && k < 128; k += 2) s += (k > 0 ? ',' : '') + w.u16(v + k);
        if (s !== '')
          em.fingerprint(ctx, p, { device: client, field: 'option6', scheme: 'dhcpv6', value: s });
        break;
      }
      case 39: {
        if (len < 2) break;
        w.sub(name, v + 1, len - 1);
        // The name may be partial (no root label): read labels until the window ends.
        let s = '';
        let k = 0;
        for (let n = 0; n < 64 && k < name.length; n++) {
          const l = name.u8(k);
          if (l === 0 || (l & 0xc0) !== 0 || !name.has(k + 1, l)) break;
          s += (s === '' ? '' : '.') + name.utf8(k + 1, l, 63);
          k += 1 + l;
        }
        if (s === '') s = readName(name, 0)?.name ?? '';
        s = cleanText(s, 255);
        if (s !== '' && s !== '.') em.hostname(ctx, p, { device: client, field: 'option39', name: s });
        break;
      }
      case 16: {
        if (len < 4) break;
        const ent = w.u32(v);
        let k = v + 4;
        for (let n = 0; n < 8 && k + 2 <= v + len; n++) {
          const l = w.u16(k);
          if (k + 2 + l > v + len) break;
          const data = wireText(w, k + 2, l);
          if (data !== '')
            em.attribute(ctx, p, {
              device: client,
              field: 'option16',
              key: 'vendor-class',
              value: ent + ':' + data,
            });
          k += 2 + l;
        }
        break;
      }
      case 15: {
        let k = v;
        for (let n = 0; n < 8 && k + 2 <= v + len; n++) {
          const l = w.u16(k);
          if (k + 2 + l > v + len) break;
          const data = wireText(w, k + 2, l);
          if (data !== '')
            em.attribute(ctx, p, { device: client, field: 'option15', key: 'user-class', value: data });
          k += 2 + l;
        }
        break;
      }
      case 3:
      case 4: {
        // IA_NA (IAID, T1, T2, options) / IA_TA (IAID, options): IA Address options inside.
        if (!fromServer || type !== 7) break;
        let k = v + (code === 3 ? 12 : 4);
        for (let n = 0; n < 16 && k + 4 <= v + len; n++) {
          const sc = w.u16(k);
          const sl = w.u16(k + 2);
          if (k + 4 + sl > v + len) break;
          if (sc === 5 && sl >= 24) {
            const ip = ipv6ToString(w.bytes(k + 4, 16), 0);
            em.address(ctx, p, { device: { mac: client.mac, ip }, field: 'option5', ip, name: null });
          }
          k += 4 + sl;
        }
        break;
      }
      default:
        break;
    }
  }
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'msg-type',
    'option1',
    'option1.enterprise',
    'option1.lladdr',
    'option1.uuid',
    'option15',
    'option16',
    'option39',
    'option5',
    'option6',
    'relay',
  ],
  keys: {
    attribute: ['duid', 'duid-enterprise', 'duid-lladdr', 'user-class', 'vendor-class'],
    fingerprint: ['dhcpv6'],
    identity: ['uuid'],
    role: ['dhcpv6-relay', 'dhcpv6-server'],
  },
} as const satisfies Vocabulary;

export const dhcpv6: AppProtocol = {
  name: 'dhcpv6',
  group: 'it',
  emits: { dhcpv6: VOCABULARY },
  udpPorts: [546, 547],
  dissect: dissectDhcpv6,
};

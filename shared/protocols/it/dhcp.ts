import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import type { DeviceRef } from '../../model/observation';
import { ipv4ToString, ipv4IsUnicastHost } from '../../util/addr';
import { base, ipRef, macRef, srcRef } from './refs';
import { cleanText, wireText } from './text';
import { readName } from './dns-name';

/** DHCPv4 (RFC 2131/2132): what clients say about themselves and what servers hand out. */
const MAGIC = 0x63825363;
const OPTIONS_START = 240;

const MESSAGE_TYPES = [
  '',
  'DISCOVER',
  'OFFER',
  'REQUEST',
  'DECLINE',
  'ACK',
  'NAK',
  'RELEASE',
  'INFORM',
  'FORCERENEW',
  'LEASEQUERY',
  'LEASEUNASSIGNED',
  'LEASEUNKNOWN',
  'LEASEACTIVE',
];

function hex(w: ByteWindow, o: number, n: number, max = 64): string {
  let s = '';
  const m = n > max ? max : n;
  for (let i = 0; i < m; i++)
    s += w
      .u8(o + i)
      .toString(16)
      .padStart(2, '0');
  return s;
}

const scratch = new ByteWindow();

function fqdnName(w: ByteWindow, o: number, n: number): string {
  if (n < 3) return '';
  const flags = w.u8(o);
  if ((flags & 0x04) !== 0) {
    // E bit: the name is in DNS wire format (RFC 4702).
    w.sub(scratch, o + 3, n - 3);
    const r = readName(scratch, 0);
    return r === null || r.name === '.' ? '' : cleanText(r.name, 255);
  }
  return wireText(w, o + 3, n - 3, 255);
}

/**
 * User class (77): RFC 3004 instances, each with its own length byte, when those lengths add up to the
 * option exactly; otherwise (Windows and older clients) the whole option is one text.
 */
function userClasses(w: ByteWindow, v: number, len: number): [number, number][] {
  const out: [number, number][] = [];
  let k = 0;
  while (k < len && out.length < 16) {
    const n = w.u8(v + k);
    if (n === 0 || k + 1 + n > len) break;
    out.push([v + k + 1, n]);
    k += 1 + n;
  }
  return k === len ? out : len > 0 ? [[v, len]] : [];
}

/**
 * Each option in order (pads skipped; the end option, or one running past the packet, stops the walk),
 * at most 512: `f(code, offset of the value, length)`.
 */
function eachOption(w: ByteWindow, f: (code: number, v: number, len: number) => void): void {
  const end = w.length;
  for (let o = OPTIONS_START, i = 0; o < end && i < 512; i++) {
    const code = w.u8(o);
    if (code === 0) {
      o++;
      continue;
    }
    if (code === 255 || !w.has(o + 1, 1)) break;
    const len = w.u8(o + 1);
    if (!w.has(o + 2, len)) break;
    f(code, o + 2, len);
    o += 2 + len;
  }
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY: Vocabulary = {
  fields: [
    'op',
    'option12',
    'option15',
    'option161',
    'option3',
    'option50',
    'option53',
    'option54',
    'option55',
    'option57',
    'option6',
    'option60',
    'option61',
    'option81',
    'yiaddr',
  ],
  keys: {
    attribute: [
      'client-id',
      'domain',
      'max-message-size',
      'message-type',
      'requested-address',
      'user-class',
      'vendor-class',
      'vendor-class-served',
    ],
    fingerprint: ['dhcp'],
    identity: ['mud-url'],
    role: ['dhcp-client', 'dhcp-server', 'dns-server', 'router'],
  },
};

export const dhcp: AppProtocol = {
  name: 'dhcp',
  group: 'it',
  emits: { dhcp: VOCABULARY },
  udpPorts: [67, 68],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.length < OPTIONS_START || w.u32(236) !== MAGIC) return false;
    const op = w.u8(0);
    if (op !== 1 && op !== 2) return false;
    const htype = w.u8(1);
    const hlen = w.u8(2);
    const chaddr = htype === 1 && hlen === 6 ? w.u48(28) : -1;
    const ciaddr = w.u32(12);
    const yiaddr = w.u32(16);

    // First pass: message type, hostname, server id (facts later options depend on).
    let msgType = 0;
    let serverId = -1;
    let hostname = '';
    eachOption(w, (code, v, len) => {
      if (code === 53 && len >= 1) msgType = w.u8(v);
      else if (code === 54 && len >= 4) serverId = w.u32(v);
      else if (code === 12 && len > 0) hostname = wireText(w, v, len, 255);
    });

    const clientIp = ciaddr !== 0 ? ipv4ToString(ciaddr) : null;
    const client: DeviceRef = chaddr >= 0 ? macRef(chaddr, clientIp) : srcRef(p);
    const fromServer = op === 2;
    const emitC = (field: string) => base(p, client, 'dhcp', field);

    if (msgType > 0) {
      const name = MESSAGE_TYPES[msgType] ?? String(msgType);
      ctx.emit({ kind: 'attribute', key: 'message-type', value: name, ...emitC('option53') });
    }

    if (fromServer) {
      // The server: the frame source when it is the server itself, else (relayed) the address option 54 names.
      if (serverId > 0) {
        const sid = ipv4ToString(serverId);
        const server = p.ipVersion === 4 && p.src4 === serverId ? srcRef(p) : ipRef(sid);
        ctx.emit({ kind: 'role', role: 'dhcp-server', peer: client, ...base(p, server, 'dhcp', 'option54') });
      } else if (p.ipVersion === 4) {
        ctx.emit({ kind: 'role', role: 'dhcp-server', peer: client, ...base(p, srcRef(p), 'dhcp', 'op') });
      }
      if (msgType === 5 && yiaddr !== 0 && chaddr >= 0) {
        const ip = ipv4ToString(yiaddr);
        ctx.emit({
          kind: 'address',
          ip,
          name: hostname !== '' ? hostname : null,
          ...base(p, macRef(chaddr, ip), 'dhcp', 'yiaddr'),
        });
      }
    } else {
      ctx.emit({ kind: 'role', role: 'dhcp-client', peer: null, ...emitC('op') });
    }

    eachOption(w, (code, v, len) => {
      const field = 'option' + code;
      switch (code) {
        case 12:
          if (hostname !== '') ctx.emit({ kind: 'hostname', name: hostname, ...emitC(field) });
          break;
        case 81: {
          const name = fqdnName(w, v, len);
          if (name !== '') ctx.emit({ kind: 'hostname', name, ...emitC(field) });
          break;
        }
        case 60:
          // Clients state their class. A server that sends one is answering that class (Aruba controllers
          // send 'ArubaAP' to their access points): it says whom the offer is for, not what the server is.
          if (len > 0) {
            const dev = fromServer ? srcRef(p) : client;
            ctx.emit({
              kind: 'attribute',
              key: fromServer ? 'vendor-class-served' : 'vendor-class',
              value: wireText(w, v, len),
              ...base(p, dev, 'dhcp', field),
            });
          }
          break;
        case 61:
          if (len > 0)
            ctx.emit({ kind: 'attribute', key: 'client-id', value: hex(w, v, len), ...emitC(field) });
          break;
        case 55: {
          // Kept in order: the order is what tells DHCP client implementations apart.
          let s = '';
          for (let k = 0; k < len; k++) s += (k > 0 ? ',' : '') + w.u8(v + k);
          if (len > 0 && !fromServer)
            ctx.emit({ kind: 'fingerprint', scheme: 'dhcp', value: s, ...emitC(field) });
          break;
        }
        case 50:
          if (len === 4)
            ctx.emit({
              kind: 'attribute',
              key: 'requested-address',
              value: ipv4ToString(w.u32(v)),
              ...emitC(field),
            });
          break;
        case 57:
          if (len === 2 && !fromServer)
            ctx.emit({
              kind: 'attribute',
              key: 'max-message-size',
              value: String(w.u16(v)),
              ...emitC(field),
            });
          break;
        case 77:
          for (const [at, n] of userClasses(w, v, len))
            ctx.emit({ kind: 'attribute', key: 'user-class', value: wireText(w, at, n), ...emitC(field) });
          break;
        case 161:
          if (len > 0)
            ctx.emit({ kind: 'identity', attr: 'mud-url', value: wireText(w, v, len), ...emitC(field) });
          break;
        case 15:
          if (len > 0 && fromServer)
            ctx.emit({ kind: 'attribute', key: 'domain', value: wireText(w, v, len, 255), ...emitC(field) });
          break;
        case 3:
        case 6:
          // Servers name the network's routers and DNS servers.
          if (fromServer) {
            for (let k = 0; k + 4 <= len && k < 32; k += 4) {
              const a = w.u32(v + k);
              if (!ipv4IsUnicastHost(a)) continue;
              ctx.emit({
                kind: 'role',
                role: code === 3 ? 'router' : 'dns-server',
                peer: null,
                ...base(p, ipRef(ipv4ToString(a)), 'dhcp', field),
              });
            }
          }
          break;
        default:
          break;
      }
    });
    return true;
  },
};

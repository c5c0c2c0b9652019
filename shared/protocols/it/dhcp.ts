import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import type { DeviceRef } from '../../model/observation';
import { ipv4ToString, ipv4IsUnicastHost } from '../../util/addr';
import { Emitter } from '../common/emit';
import { hexBytes } from '../common/hex';
import { ipRef, macRef, srcRef } from '../common/refs';
import { cleanText, wireText } from '../common/text';
import { nameOf, values } from '../common/values';
import { readName } from './dns-name';

/** DHCPv4 (RFC 2131/2132): what clients say about themselves and what servers hand out. */
const MAGIC = 0x63825363;
const OPTIONS_START = 240;

/** Option 53's message types (RFC 2132, 4388, 6926). */
const MESSAGE_TYPES = values({
  1: 'DISCOVER',
  2: 'OFFER',
  3: 'REQUEST',
  4: 'DECLINE',
  5: 'ACK',
  6: 'NAK',
  7: 'RELEASE',
  8: 'INFORM',
  9: 'FORCERENEW',
  10: 'LEASEQUERY',
  11: 'LEASEUNASSIGNED',
  12: 'LEASEUNKNOWN',
  13: 'LEASEACTIVE',
});
const ACK = 5;

/** The option codes read here (RFC 2132 and successors), by name. */
const OPTION = {
  ROUTER: 3,
  DNS_SERVERS: 6,
  HOST_NAME: 12,
  DOMAIN_NAME: 15,
  REQUESTED_ADDRESS: 50,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MAX_MESSAGE_SIZE: 57,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  USER_CLASS: 77,
  CLIENT_FQDN: 81,
  MUD_URL: 161,
} as const;
type OptionCode = (typeof OPTION)[keyof typeof OPTION];
/** The field an option's facts are named by (option12): declared for every code in OPTION. */
const opt = <C extends OptionCode>(c: C) => `option${c}` as const;

/** Their names, as Wireshark's bootp dissector gives them. */
export const DHCP_OPTION_NAMES = values({
  [OPTION.ROUTER]: 'Router',
  [OPTION.DNS_SERVERS]: 'Domain Name Server',
  [OPTION.HOST_NAME]: 'Host Name',
  [OPTION.DOMAIN_NAME]: 'Domain Name',
  [OPTION.REQUESTED_ADDRESS]: 'Requested IP Address',
  [OPTION.MESSAGE_TYPE]: 'DHCP Message Type',
  [OPTION.SERVER_ID]: 'DHCP Server Identifier',
  [OPTION.PARAMETER_REQUEST_LIST]: 'Parameter Request List',
  [OPTION.MAX_MESSAGE_SIZE]: 'Maximum DHCP Message Size',
  [OPTION.VENDOR_CLASS]: 'Vendor class identifier',
  [OPTION.CLIENT_ID]: 'Client identifier',
  [OPTION.USER_CLASS]: 'User Class Information',
  [OPTION.CLIENT_FQDN]: 'Client Fully Qualified Domain Name',
  [OPTION.MUD_URL]: 'Manufacturer Usage Description',
});

const em = new Emitter<typeof VOCABULARY>('dhcp');

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
const VOCABULARY = {
  // Facts are named by the option that carried them (option12), or by the header's op and yiaddr.
  fields: ['op', 'yiaddr', ...Object.values(OPTION).map(opt)],
  keys: {
    attribute: [
      'client-id',
      'domain',
      'max-message-size',
      'message-type',
      'message-type-id',
      'requested-address',
      'user-class',
      'vendor-class',
      'vendor-class-served',
    ],
    fingerprint: ['dhcp'],
    identity: ['mud-url'],
    role: ['dhcp-client', 'dhcp-server', 'dns-server', 'router'],
  },
} as const satisfies Vocabulary;

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
      if (code === OPTION.MESSAGE_TYPE && len >= 1) msgType = w.u8(v);
      else if (code === OPTION.SERVER_ID && len >= 4) serverId = w.u32(v);
      else if (code === OPTION.HOST_NAME && len > 0) hostname = wireText(w, v, len, 255);
    });

    const clientIp = ciaddr !== 0 ? ipv4ToString(ciaddr) : null;
    const client: DeviceRef = chaddr >= 0 ? macRef(chaddr, clientIp) : srcRef(p);
    const fromServer = op === 2;

    if (msgType > 0) {
      const field = opt(OPTION.MESSAGE_TYPE);
      em.attribute(ctx, p, {
        device: client,
        field,
        key: 'message-type',
        value: nameOf(MESSAGE_TYPES, msgType),
      });
      // The code beside its name, so rules can match the number rather than our wording of it.
      em.attribute(ctx, p, { device: client, field, key: 'message-type-id', value: String(msgType) });
    }

    if (fromServer) {
      // The server: the frame source when it is the server itself, else (relayed) the address option 54 names.
      if (serverId > 0) {
        const sid = ipv4ToString(serverId);
        const server = p.ipVersion === 4 && p.src4 === serverId ? srcRef(p) : ipRef(sid);
        em.role(ctx, p, {
          device: server,
          field: opt(OPTION.SERVER_ID),
          role: 'dhcp-server',
          peer: client,
        });
      } else if (p.ipVersion === 4) {
        em.role(ctx, p, { end: 'src', field: 'op', role: 'dhcp-server', peer: client });
      }
      if (msgType === ACK && yiaddr !== 0 && chaddr >= 0) {
        const ip = ipv4ToString(yiaddr);
        em.address(ctx, p, {
          device: macRef(chaddr, ip),
          field: 'yiaddr',
          ip,
          name: hostname !== '' ? hostname : null,
        });
      }
    } else {
      em.role(ctx, p, { device: client, field: 'op', role: 'dhcp-client', peer: null });
    }

    eachOption(w, (code, v, len) => {
      // The switch below reads only the codes of OPTION, each a declared field.
      const field = opt(code as OptionCode);
      switch (code) {
        case OPTION.HOST_NAME:
          if (hostname !== '') em.hostname(ctx, p, { device: client, field, name: hostname });
          break;
        case OPTION.CLIENT_FQDN: {
          const name = fqdnName(w, v, len);
          if (name !== '') em.hostname(ctx, p, { device: client, field, name });
          break;
        }
        case OPTION.VENDOR_CLASS:
          // Clients state their class. A server that sends one is answering that class (Aruba controllers
          // send 'ArubaAP' to their access points): it says whom the offer is for, not what the server is.
          if (len > 0)
            em.attribute(ctx, p, {
              device: fromServer ? srcRef(p) : client,
              field,
              key: fromServer ? 'vendor-class-served' : 'vendor-class',
              value: wireText(w, v, len),
            });
          break;
        case OPTION.CLIENT_ID:
          if (len > 0)
            em.attribute(ctx, p, { device: client, field, key: 'client-id', value: hexBytes(w, v, len) });
          break;
        case OPTION.PARAMETER_REQUEST_LIST: {
          // Kept in order: the order is what tells DHCP client implementations apart.
          let s = '';
          for (let k = 0; k < len; k++) s += (k > 0 ? ',' : '') + w.u8(v + k);
          if (len > 0 && !fromServer)
            em.fingerprint(ctx, p, { device: client, field, scheme: 'dhcp', value: s });
          break;
        }
        case OPTION.REQUESTED_ADDRESS:
          if (len === 4)
            em.attribute(ctx, p, {
              device: client,
              field,
              key: 'requested-address',
              value: ipv4ToString(w.u32(v)),
            });
          break;
        case OPTION.MAX_MESSAGE_SIZE:
          if (len === 2 && !fromServer)
            em.attribute(ctx, p, { device: client, field, key: 'max-message-size', value: String(w.u16(v)) });
          break;
        case OPTION.USER_CLASS:
          for (const [at, n] of userClasses(w, v, len))
            em.attribute(ctx, p, { device: client, field, key: 'user-class', value: wireText(w, at, n) });
          break;
        case OPTION.MUD_URL:
          if (len > 0)
            em.identity(ctx, p, { device: client, field, attr: 'mud-url', value: wireText(w, v, len) });
          break;
        case OPTION.DOMAIN_NAME:
          if (len > 0 && fromServer)
            em.attribute(ctx, p, { device: client, field, key: 'domain', value: wireText(w, v, len, 255) });
          break;
        case OPTION.ROUTER:
        case OPTION.DNS_SERVERS:
          // Servers name the network's routers and DNS servers.
          if (fromServer) {
            for (let k = 0; k + 4 <= len && k < 32; k += 4) {
              const a = w.u32(v + k);
              if (!ipv4IsUnicastHost(a)) continue;
              em.role(ctx, p, {
                device: ipRef(ipv4ToString(a)),
                field,
                role: code === OPTION.ROUTER ? 'router' : 'dns-server',
                peer: null,
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

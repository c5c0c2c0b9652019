import type { Observation } from '../../../shared/model/observation';
import type { Case } from './differential-cases';

/** DHCPv4 and DHCPv6 fields beyond host name, request list and vendor class (differential-cases.ts). */

const v4 = (o: Observation) => o.protocol === 'dhcp';
const v6 = (o: Observation) => o.protocol === 'dhcpv6';
const attr = (o: Observation, proto: string, key: string) =>
  o.protocol === proto && o.kind === 'attribute' && o.key === key ? o.value : null;

/** tshark prints raw bytes as "01:0a:ff"; hex without separators. */
const hex = (s: string) => s.replace(/:/g, '').toLowerCase();

/**
 * The raw values of DHCPv4 option `code` in a frame. tshark shows every option's bytes as a hidden
 * dhcp.option.value, in the order of dhcp.option.type (pad and end carry none). When the two lists do
 * not line up the frame yields a marker no value of ours can equal, so the comparison fails loudly.
 */
function option(row: (f: string) => string[], code: number): string[] {
  const types = row('dhcp.option.type').filter((t) => t !== '0' && t !== '255');
  const vals = row('dhcp.option.value');
  if (types.length !== vals.length) return types.includes(String(code)) ? ['<options not aligned>'] : [];
  return vals.filter((_, i) => types[i] === String(code));
}

/** BOOTREPLY: a server speaks (dhcp.type 2). */
const reply = (row: (f: string) => string[]) => row('dhcp.type')[0] === '2';

function unicastHost(ip: string): boolean {
  const o1 = Number(ip.split('.')[0]);
  return ip !== '0.0.0.0' && ip !== '255.255.255.255' && (o1 < 224 || o1 > 239);
}

/** RFC 2132 / 4388 message type names, as our attribute spells them. */
const MESSAGE_TYPES: Record<string, string> = {
  '1': 'DISCOVER',
  '2': 'OFFER',
  '3': 'REQUEST',
  '4': 'DECLINE',
  '5': 'ACK',
  '6': 'NAK',
  '7': 'RELEASE',
  '8': 'INFORM',
  '9': 'FORCERENEW',
  '10': 'LEASEQUERY',
  '11': 'LEASEUNASSIGNED',
  '12': 'LEASEUNKNOWN',
  '13': 'LEASEACTIVE',
};

/** DHCPv6 client message types (RFC 8415): Solicit, Request, Confirm, Renew, Rebind, Release, Decline, Inform. */
const V6_CLIENT = new Set(['1', '3', '4', '5', '6', '8', '9', '11']);
/** The message type of the innermost (relayed) message. */
const innerType = (row: (f: string) => string[]) => row('dhcpv6.msgtype').at(-1) ?? '';

/**
 * The DUIDs of Client Identifier options (1), not Server Identifier (2): both show as dhcpv6.duid.*,
 * in the order of dhcpv6.option.type.
 */
function clientDuids(row: (f: string) => string[]): { type: string; bytes: string; index: number }[] {
  const ids = row('dhcpv6.option.type').filter((t) => t === '1' || t === '2');
  const bytes = row('dhcpv6.duid.bytes');
  const types = row('dhcpv6.duid.type');
  if (ids.length !== bytes.length || ids.length !== types.length)
    return ids.includes('1') ? [{ type: '?', bytes: '<duids not aligned>', index: -1 }] : [];
  return ids.map((t, i) => ({ t, type: types[i]!, bytes: bytes[i]!, index: i })).filter((d) => d.t === '1');
}

export const CASES: Case[] = [
  {
    field: 'dhcp.fqdn.name',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (v4(o) && o.kind === 'hostname' && o.field === 'option81' ? o.name : null),
  },
  {
    field: 'dhcp.option.value',
    label: 'option 61 client identifier',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcp.option.type'],
    theirs: (_v, _e, row) => option(row, 61).map(hex),
    ours: (o) => attr(o, 'dhcp', 'client-id'),
  },
  {
    field: 'dhcp.option.requested_ip_address',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => attr(o, 'dhcp', 'requested-address'),
  },
  // We name the server from its own replies; clients quote option 54 too, which says nothing new.
  {
    field: 'dhcp.option.dhcp_server_id',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcp.type'],
    theirs: (v, _e, row) => (reply(row) ? v.filter((x) => x !== '0.0.0.0') : []),
    ours: (o) => (v4(o) && o.kind === 'role' && o.field === 'option54' ? o.device.ip : null),
  },
  // The address a server hands out, bound to the client's MAC: reported from the ACK only.
  {
    field: 'dhcp.ip.your',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcp.option.dhcp', 'dhcp.hw.type', 'dhcp.hw.len'],
    theirs: (v, _e, row) =>
      row('dhcp.option.dhcp').includes('5') &&
      row('dhcp.hw.type')[0] === '0x01' &&
      row('dhcp.hw.len')[0] === '6'
        ? v.filter((x) => x !== '0.0.0.0')
        : [],
    ours: (o) => (v4(o) && o.kind === 'address' && o.field === 'yiaddr' ? o.ip : null),
  },
  // Routers and DNS servers a server names; broadcast, multicast and 0.0.0.0 are not devices.
  {
    field: 'dhcp.option.router',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcp.type'],
    theirs: (v, _e, row) => (reply(row) ? v.filter(unicastHost) : []),
    ours: (o) => (v4(o) && o.kind === 'role' && o.role === 'router' ? o.device.ip : null),
  },
  {
    field: 'dhcp.option.domain_name_server',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcp.type'],
    theirs: (v, _e, row) => (reply(row) ? v.filter(unicastHost) : []),
    ours: (o) => (v4(o) && o.kind === 'role' && o.role === 'dns-server' ? o.device.ip : null),
  },
  {
    field: 'dhcp.option.domain_name',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcp.type'],
    theirs: (v, _e, row) => (reply(row) ? v : []),
    ours: (o) => attr(o, 'dhcp', 'domain'),
  },
  {
    field: 'dhcp.option.mudurl',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (v4(o) && o.kind === 'identity' && o.attr === 'mud-url' ? o.value : null),
  },
  {
    field: 'dhcp.option.dhcp_max_message_size',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcp.type'],
    theirs: (v, _e, row) => (reply(row) ? [] : v),
    ours: (o) => attr(o, 'dhcp', 'max-message-size'),
  },
  {
    field: 'dhcp.option.dhcp',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.map((x) => MESSAGE_TYPES[x] ?? x),
    ours: (o) => attr(o, 'dhcp', 'message-type'),
  },
  {
    field: 'dhcpv6.duid.bytes',
    label: 'client identifier',
    protos: ['dhcpv6'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcpv6.option.type', 'dhcpv6.duid.type'],
    theirs: (_v, _e, row) => clientDuids(row).map((d) => hex(d.bytes)),
    ours: (o) => attr(o, 'dhcpv6', 'duid'),
  },
  // The MAC inside a DUID-LLT / DUID-LL of Ethernet type.
  {
    field: 'dhcpv6.duidllt.link_layer_addr',
    label: 'client DUID link-layer address',
    protos: ['dhcpv6'],
    mode: 'equal',
    minAgreement: 1,
    also: [
      'dhcpv6.option.type',
      'dhcpv6.duid.type',
      'dhcpv6.duid.bytes',
      'dhcpv6.duidll.link_layer_addr',
      'dhcpv6.duidllt.hwtype',
      'dhcpv6.duidll.hwtype',
    ],
    theirs: (_v, _e, row) => {
      // The n-th DUID-LLT (or DUID-LL) of the frame is the n-th occurrence of its fields.
      const all = row('dhcpv6.duid.type');
      const out: string[] = [];
      for (const d of clientDuids(row)) {
        const nth = all.slice(0, d.index).filter((x) => x === d.type).length;
        const llt = d.type === '1';
        if (!llt && d.type !== '3') continue;
        const hw = row(llt ? 'dhcpv6.duidllt.hwtype' : 'dhcpv6.duidll.hwtype')[nth];
        const mac = row(llt ? 'dhcpv6.duidllt.link_layer_addr' : 'dhcpv6.duidll.link_layer_addr')[nth];
        if (hw === '1' && mac !== undefined && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac)) out.push(mac);
      }
      return out;
    },
    ours: (o) => attr(o, 'dhcpv6', 'duid-lladdr'),
  },
  {
    field: 'dhcpv6.duiduuid.bytes',
    protos: ['dhcpv6'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcpv6.option.type', 'dhcpv6.duid.type', 'dhcpv6.duid.bytes'],
    theirs: (_v, _e, row) =>
      clientDuids(row)
        .filter((d) => d.type === '4' && hex(d.bytes).length === 36)
        .map((d) => hex(d.bytes).slice(4))
        .map(
          (h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
        ),
    ours: (o) => (v6(o) && o.kind === 'identity' && o.attr === 'uuid' ? o.value : null),
  },
  {
    field: 'dhcpv6.client_domain',
    protos: ['dhcpv6'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (v6(o) && o.kind === 'hostname' && o.field === 'option39' ? o.name : null),
  },
  // Ours is "<enterprise>:<data>"; the two halves are compared apart.
  {
    field: 'dhcpv6.vendorclass.data',
    protos: ['dhcpv6'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => attr(o, 'dhcpv6', 'vendor-class')?.replace(/^\d+:/, '') ?? null,
  },
  {
    field: 'dhcpv6.vendorclass.enterprise',
    protos: ['dhcpv6'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => /^\d+/.exec(attr(o, 'dhcpv6', 'vendor-class') ?? '')?.[0] ?? null,
  },
  {
    field: 'dhcpv6.requested_option_code',
    protos: ['dhcpv6'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcpv6.msgtype'],
    theirs: (v, _e, row) => (V6_CLIENT.has(innerType(row)) && v.length ? [v.join(',')] : []),
    ours: (o) => (o.kind === 'fingerprint' && o.scheme === 'dhcpv6' ? o.value : null),
  },
  // Addresses assigned in a Reply (IA_NA / IA_TA).
  {
    field: 'dhcpv6.iaaddr.ip',
    protos: ['dhcpv6'],
    mode: 'equal',
    minAgreement: 1,
    also: ['dhcpv6.msgtype'],
    theirs: (v, _e, row) => (innerType(row) === '7' ? v : []),
    ours: (o) => (v6(o) && o.kind === 'address' && o.field === 'option5' ? o.ip : null),
  },
];

const HUE = 'iot-setup__iot-sentinel__HueBridge_Setup-A-2-STA.pcap';
const SHB = 'fuzz-bad-shb__gopacket__le_test901.pcapng';
const QUOTED =
  'a DHCP OFFER/ACK quoted inside an ICMP host-unreachable error: tshark decodes the quote, we do not treat it as traffic';
const SECOND_SECTION =
  'tshark stops at the second section (SHB version 2.0, MANIFEST: readable before error); our reader goes on';

export const EXCEPTIONS: Record<string, string> = {
  [`dhcp.option.dhcp_server_id@${HUE}#70`]: QUOTED,
  [`dhcp.option.dhcp_server_id@${HUE}#71`]: QUOTED,
  [`dhcp.option.router@${HUE}#70`]: QUOTED,
  [`dhcp.option.router@${HUE}#71`]: QUOTED,
  [`dhcp.option.domain_name_server@${HUE}#70`]: QUOTED,
  [`dhcp.option.domain_name_server@${HUE}#71`]: QUOTED,
  [`dhcp.option.dhcp@${HUE}#70`]: QUOTED,
  [`dhcp.option.dhcp@${HUE}#71`]: QUOTED,
  [`dhcp.ip.your@${HUE}#71`]: QUOTED,
  [`dhcp.option.dhcp_server_id@${SHB}#2`]: SECOND_SECTION,
  [`dhcp.option.dhcp@${SHB}#2`]: SECOND_SECTION,
  [`dhcp.option.dhcp@${SHB}#3`]: SECOND_SECTION,
  [`dhcp.option.requested_ip_address@${SHB}#3`]: SECOND_SECTION,
  [`dhcp.option.value/option 61 client identifier@${SHB}#3`]: SECOND_SECTION,
  'dhcp.option.value/option 61 client identifier@fuzz-dhcp__ndpi__dhcp-fuzz.pcapng#1':
    'option 60 runs past the end of the frame and has no dhcp.option.value, so the option list cannot be lined up; tshark shows the client id as 01:00:1f:29:da:2d:79, as we do',
};

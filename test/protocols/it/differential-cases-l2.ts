import type { Observation } from '../../../shared/model/observation';
import type { Case } from './differential-cases';

/** LLDP, CDP and STP fields beyond system name/description and CDP device id/platform/software. */

const lldp = (o: Observation) => o.protocol === 'lldp';
const cdp = (o: Observation) => o.protocol === 'cdp';
const attr = (o: Observation, proto: string, key: string) =>
  o.protocol === proto && o.kind === 'attribute' && o.key === key ? o.value : null;
const identity = (o: Observation, proto: string, attrName: string) =>
  o.protocol === proto && o.kind === 'identity' && o.attr === attrName ? o.value : null;

/** IEEE 802.1AB-2016 table 8-4, system capabilities bits 0..10, named the way our attribute names them. */
const LLDP_CAPS = [
  'other',
  'repeater',
  'bridge',
  'wlan-ap',
  'router',
  'telephone',
  'docsis',
  'station',
  'c-vlan',
  's-vlan',
  'tpmr',
];
/** CDP capabilities bits 0..10 (Cisco's CDP TLV 0x04 definition, as Wireshark lists them). */
const CDP_CAPS = [
  'router',
  'trans-bridge',
  'sr-bridge',
  'switch',
  'host',
  'igmp',
  'repeater',
  'phone',
  'remote',
  'cvta',
  'mac-relay',
];
const capNames = (hex: string, names: string[]) =>
  names.filter((_, i) => (Number(hex) & (1 << i)) !== 0).join(',');

/** tshark prints an FT_BYTES id as hex; text ids read back as text. */
const bytesText = (h: string) => Buffer.from(h.replace(/:/g, ''), 'hex').toString('utf8');

/** STP bridge ids as we print them: the whole 16-bit priority field (priority + system id extension) / MAC. */
const bridgeId =
  (which: 'root' | 'bridge') =>
  (v: string[], _e: string[], row: (f: string) => string[]): string[] =>
    v.map((hw, i) => {
      const prio = Number(row(`stp.${which}.prio`)[i]) + Number(row(`stp.${which}.ext`)[i] ?? 0);
      return `${prio}/${hw}`;
    });

export const CASES: Case[] = [
  // Chassis id: a MAC, a network address, or (other subtypes) text that tshark shows as bytes.
  {
    field: 'lldp.chassis.id',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['lldp.chassis.id.mac', 'lldp.chassis.id.ip4', 'lldp.chassis.id.ip6'],
    theirs: (v, _e, row) => [
      ...row('lldp.chassis.id.mac'),
      ...row('lldp.chassis.id.ip4'),
      ...row('lldp.chassis.id.ip6'),
      ...v.map(bytesText),
    ],
    ours: (o) => (lldp(o) && o.kind === 'neighbor' ? o.chassisId : null),
  },
  {
    field: 'lldp.port.id',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['lldp.port.id.mac', 'lldp.port.id.ip4', 'lldp.port.id.ip6'],
    theirs: (v, _e, row) => [
      ...v,
      ...row('lldp.port.id.mac'),
      ...row('lldp.port.id.ip4'),
      ...row('lldp.port.id.ip6'),
    ],
    ours: (o) => (lldp(o) && o.kind === 'neighbor' ? o.portId : null),
  },
  {
    field: 'lldp.port.desc',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (lldp(o) && o.kind === 'neighbor' ? o.portDescription : null),
  },
  {
    field: 'lldp.tlv.system_cap',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.map((h) => capNames(h, LLDP_CAPS)),
    ours: (o) => attr(o, 'lldp', 'capabilities.available'),
  },
  {
    field: 'lldp.tlv.enable_system_cap',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.map((h) => capNames(h, LLDP_CAPS)),
    ours: (o) => attr(o, 'lldp', 'capabilities.enabled'),
  },
  {
    field: 'lldp.mgn.addr.ip4',
    label: 'IPv4 and IPv6',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['lldp.mgn.addr.ip6'],
    theirs: (v, _e, row) => [...v, ...row('lldp.mgn.addr.ip6')],
    ours: (o) => (lldp(o) && o.kind === 'address' ? o.ip : null),
  },
  // VLAN 0 means "no port VLAN" (802.1Q-2014 D.2.2): we do not report it.
  {
    field: 'lldp.ieee.802_1.port_vlan.id',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.filter((x) => x !== '0'),
    ours: (o) => attr(o, 'lldp', 'port-vlan'),
  },
  {
    field: 'lldp.media.subtype.class',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => attr(o, 'lldp', 'lldp-med-class'),
  },
  {
    field: 'lldp.iana.mudurl',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => identity(o, 'lldp', 'mud-url'),
  },
  {
    field: 'cdp.portid',
    protos: ['cdp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (cdp(o) && o.kind === 'neighbor' ? o.portId : null),
  },
  {
    field: 'cdp.capabilities',
    protos: ['cdp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.map((h) => capNames(h, CDP_CAPS)),
    ours: (o) => attr(o, 'cdp', 'capabilities'),
  },
  {
    field: 'cdp.native_vlan',
    protos: ['cdp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => attr(o, 'cdp', 'native-vlan'),
  },
  {
    field: 'cdp.vtp_management_domain',
    protos: ['cdp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => identity(o, 'cdp', 'domain'),
  },
  // Addresses (TLV 0x02) and management addresses (0x16): tshark shows both as cdp.nrgyz.ip_address.
  {
    field: 'cdp.nrgyz.ip_address',
    label: 'IPv4 and IPv6',
    protos: ['cdp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['cdp.nrgyz.ipv6_address'],
    theirs: (v, _e, row) => [...v, ...row('cdp.nrgyz.ipv6_address')],
    ours: (o) => (cdp(o) && o.kind === 'address' ? o.ip : null),
  },
  {
    field: 'stp.root.hw',
    protos: ['stp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['stp.root.prio', 'stp.root.ext'],
    theirs: bridgeId('root'),
    ours: (o) => attr(o, 'stp', 'stp-root-id'),
  },
  {
    field: 'stp.bridge.hw',
    protos: ['stp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['stp.bridge.prio', 'stp.bridge.ext'],
    theirs: bridgeId('bridge'),
    ours: (o) => attr(o, 'stp', 'stp-bridge-id'),
  },
  // Protocol version of the BPDU: 0 STP, 2 RSTP, 3 MSTP (802.1Q-2018 14.4); we call others STP.
  {
    field: 'stp.version',
    protos: ['stp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.map((x) => ({ '2': 'rstp', '3': 'mstp' })[x] ?? 'stp'),
    ours: (o) => attr(o, 'stp', 'stp-protocol'),
  },
];

export const EXCEPTIONS: Record<string, string> = {};

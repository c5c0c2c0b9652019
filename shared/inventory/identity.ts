/**
 * The identity section of a device record: the facts that say what a device is (names, fingerprints,
 * banners, identity objects), picked from its evidence by the table below, grouped by source.
 *
 * One table, as data: which observation (kind, protocol, field, attribute/key/scheme) is an identity
 * fact, the group it is shown under and its label. Anything not listed stays in `--evidence` only.
 * Bounded: at most MAX_PER_LABEL values per group and label (the most recently heard kept), each
 * value at most MAX_IDENTITY_VALUE characters.
 */
import type { IdentityFactJson, IdentityJson } from '../model/inventory';
import { isoTime } from '../util/time';
import { rawOf, type Fact } from './evidence';

/** Values kept per group and label: a host rarely has more; a flood of User-Agents gets no further. */
export const MAX_PER_LABEL = 8;
/** Characters kept of a value: enough for a banner or a certificate subject. */
export const MAX_IDENTITY_VALUE = 256;

interface Rule {
  kind: 'hostname' | 'identity' | 'attribute' | 'software' | 'fingerprint';
  /** The observation's protocol; '*' for any. */
  protocol: string;
  /** The observation's field: exact, or a prefix when it ends with '*'; absent for any. */
  field?: string;
  /** The identity attribute, attribute key or fingerprint scheme: exact or prefix ('*'); absent for any. */
  sub?: string;
  /** The group shown; '*' for the observation's protocol. */
  group: string;
  label: string;
}

const r = (
  kind: Rule['kind'],
  protocol: string,
  field: string | undefined,
  sub: string | undefined,
  group: string,
  label: string,
): Rule => ({ kind, protocol, field, sub, group, label });

/** First match wins: specific rules before the wildcards at the end. Groups appear in this order. */
export const IDENTITY_RULES: readonly Rule[] = [
  // DHCP: the fingerprint a client states in its requests (options 55, 60, 61, 12, 81, 77, 161).
  r('hostname', 'dhcp', 'option12', undefined, 'dhcp', 'host name'),
  r('hostname', 'dhcp', 'option81', undefined, 'dhcp', 'fqdn'),
  r('fingerprint', 'dhcp', undefined, 'dhcp', 'dhcp', 'parameter list'),
  r('attribute', 'dhcp', undefined, 'vendor-class', 'dhcp', 'vendor class'),
  r('attribute', 'dhcp', undefined, 'client-id', 'dhcp', 'client id'),
  r('attribute', 'dhcp', undefined, 'user-class', 'dhcp', 'user class'),
  r('identity', 'dhcp', undefined, 'mud-url', 'dhcp', 'mud url'),
  r('attribute', 'dhcpv6', undefined, 'duid', 'dhcpv6', 'duid'),
  r('attribute', 'dhcpv6', undefined, 'duid-enterprise', 'dhcpv6', 'duid enterprise'),
  r('identity', 'dhcpv6', undefined, 'uuid', 'dhcpv6', 'uuid'),
  r('hostname', 'dhcpv6', undefined, undefined, 'dhcpv6', 'fqdn'),
  r('attribute', 'dhcpv6', undefined, 'vendor-class', 'dhcpv6', 'vendor class'),
  r('attribute', 'dhcpv6', undefined, 'user-class', 'dhcpv6', 'user class'),
  r('fingerprint', 'dhcpv6', undefined, 'dhcpv6', 'dhcpv6', 'option request'),
  // Multicast names and services.
  r('hostname', 'mdns', undefined, undefined, 'mdns', 'host name'),
  r('attribute', 'mdns', undefined, 'service-instance', 'mdns', 'service instance'),
  r('attribute', 'mdns', undefined, 'service-type', 'mdns', 'service type'),
  r('identity', 'mdns', undefined, 'model', 'mdns', 'model'),
  r('identity', 'mdns', undefined, 'os-version', 'mdns', 'os version'),
  // TXT keys that name a model, a maker or a firmware (Apple, printers' IPP/LPD, Google Cast, cameras).
  ...[
    ['txt.md', 'model'],
    ['txt.model', 'model'],
    ['txt.model_number', 'model'],
    ['txt.am', 'model'],
    ['txt.mdl', 'model'],
    ['txt.usb_mdl', 'model'],
    ['txt.ty', 'model'],
    ['txt.product', 'model'],
    ['txt.fn', 'friendly name'],
    ['txt.mfg', 'manufacturer'],
    ['txt.usb_mfg', 'manufacturer'],
    ['txt.manufacturer', 'manufacturer'],
    ['txt.hardware_ver', 'hardware version'],
    ['txt.fv', 'firmware'],
    ['txt.fw', 'firmware'],
    ['txt.fwvers', 'firmware'],
    ['txt.firmware', 'firmware'],
    ['txt.firmware_version', 'firmware'],
    ['txt.version', 'version'],
    ['txt.srcvers', 'version'],
    ['txt.osxvers', 'os version'],
  ].map(([key, label]) => r('attribute', 'mdns', 'TXT', key, 'mdns', label!)),
  r('hostname', 'llmnr', undefined, undefined, 'llmnr', 'host name'),
  r('hostname', 'nbns', undefined, undefined, 'netbios', 'name'),
  r('identity', 'nbns', undefined, 'workgroup', 'netbios', 'workgroup'),
  r('hostname', 'browser', undefined, undefined, 'browser', 'server name'),
  r('identity', 'browser', undefined, 'workgroup', 'browser', 'workgroup'),
  r('identity', 'browser', undefined, 'os-version', 'browser', 'os version'),
  r('identity', 'browser', undefined, 'description', 'browser', 'comment'),
  // UPnP and web.
  r('software', 'ssdp', 'SERVER', undefined, 'ssdp', 'server'),
  r('software', 'ssdp', 'USER-AGENT', undefined, 'ssdp', 'user agent'),
  r('identity', 'ssdp', 'USN', 'uuid', 'ssdp', 'usn uuid'),
  r('attribute', 'ssdp', 'NT', 'upnp-type', 'ssdp', 'device type'),
  r('attribute', 'ssdp', 'ST', 'upnp-type', 'ssdp', 'device type'),
  r('identity', 'wsd', undefined, 'uuid', 'wsd', 'endpoint uuid'),
  r('attribute', 'wsd', undefined, 'wsd-type', 'wsd', 'types'),
  r('software', 'http', 'Server', undefined, 'http', 'server'),
  r('software', 'http', 'User-Agent', undefined, 'http', 'user agent'),
  r('software', 'http', 'X-Powered-By', undefined, 'http', 'powered by'),
  r('attribute', 'http', undefined, 'html-title', 'http', 'page title'),
  r('attribute', 'http', undefined, 'http-auth-realm', 'http', 'auth realm'),
  r('software', 'gquic', undefined, undefined, 'quic', 'user agent'),
  r('software', 'sip', 'Server', undefined, 'sip', 'server'),
  r('software', 'sip', 'User-Agent', undefined, 'sip', 'user agent'),
  // TLS and QUIC: what a client sends (JA3, JA4) and what a server answers and serves.
  r('fingerprint', 'tls', undefined, 'ja3', 'tls', 'ja3'),
  r('fingerprint', 'tls', undefined, 'ja4', 'tls', 'ja4'),
  r('fingerprint', 'tls', undefined, 'ja3s', 'tls', 'ja3s'),
  r('fingerprint', 'tls', undefined, 'ja4s', 'tls', 'ja4s'),
  r('attribute', 'tls', undefined, 'tls-cert.subject', 'tls', 'certificate subject'),
  r('fingerprint', 'quic', undefined, 'ja3', 'quic', 'ja3'),
  r('fingerprint', 'quic', undefined, 'ja4', 'quic', 'ja4'),
  r('fingerprint', 'quic', undefined, 'ja3s', 'quic', 'ja3s'),
  r('fingerprint', 'quic', undefined, 'ja4s', 'quic', 'ja4s'),
  r('software', 'ssh', 'banner', undefined, 'ssh', 'banner'),
  r('fingerprint', 'ssh', undefined, 'hassh', 'ssh', 'hassh'),
  r('fingerprint', 'ssh', undefined, 'hassh-server', 'ssh', 'hassh server'),
  // NTLM, wherever it travels (SMB, DCE/RPC, HTTP, LDAP, SMTP): computer and domain names, the build.
  r('hostname', '*', 'ntlmssp.challenge.nbComputerName', undefined, 'ntlm', 'computer'),
  r('hostname', '*', 'ntlmssp.challenge.dnsComputerName', undefined, 'ntlm', 'dns computer'),
  r('hostname', '*', 'ntlmssp.auth.workstation', undefined, 'ntlm', 'workstation'),
  r('identity', '*', 'ntlmssp.*', 'workgroup', 'ntlm', 'domain'),
  r('identity', '*', 'ntlmssp.challenge.dnsDomainName', 'domain', 'ntlm', 'dns domain'),
  r('identity', '*', 'ntlmssp.*', 'domain', 'ntlm', 'domain'),
  r('identity', '*', 'ntlmssp.*', 'os-version', 'ntlm', 'windows build'),
  r('identity', 'smb', undefined, 'os', 'smb', 'native os'),
  r('software', 'smb', undefined, undefined, 'smb', 'native lan manager'),
  r('hostname', 'smtp', 'helo', undefined, 'smtp', 'helo name'),
  r('hostname', 'smtp', 'ehlo', undefined, 'smtp', 'helo name'),
  r('attribute', 'smtp', undefined, 'smtp-helo', 'smtp', 'helo name'),
  r('hostname', 'smtp', undefined, undefined, 'smtp', 'server name'),
  r('attribute', 'smtp', undefined, 'smtp-banner', 'smtp', 'banner'),
  r('software', 'smtp', undefined, undefined, 'smtp', 'software'),
  r('hostname', 'imap', undefined, undefined, 'imap', 'server name'),
  r('attribute', 'imap', undefined, 'imap-banner', 'imap', 'banner'),
  r('software', 'imap', undefined, undefined, 'imap', 'software'),
  r('attribute', 'imap', undefined, 'imap-id.os', 'imap', 'id os'),
  r('attribute', 'imap', undefined, 'imap-id.os-version', 'imap', 'id os version'),
  r('hostname', 'pop3', undefined, undefined, 'pop3', 'server name'),
  r('attribute', 'pop3', undefined, 'pop3-banner', 'pop3', 'banner'),
  r('attribute', 'pop3', undefined, 'pop3-implementation', 'pop3', 'implementation'),
  r('software', 'pop3', undefined, undefined, 'pop3', 'software'),
  r('hostname', 'rdp', undefined, undefined, 'rdp', 'client name'),
  r('attribute', 'rdp', undefined, 'rdp-client-build', 'rdp', 'client build'),
  // Network gear.
  r('hostname', 'lldp', undefined, undefined, 'lldp', 'system name'),
  r('identity', 'lldp', undefined, 'description', 'lldp', 'system description'),
  r('attribute', 'lldp', undefined, 'capabilities.available', 'lldp', 'capabilities'),
  r('attribute', 'lldp', undefined, 'capabilities.enabled', 'lldp', 'capabilities enabled'),
  r('attribute', 'lldp', undefined, 'lldp-med-class', 'lldp', 'med class'),
  r('identity', 'lldp', undefined, 'mud-url', 'lldp', 'mud url'),
  r('hostname', 'cdp', undefined, undefined, 'cdp', 'device id'),
  r('identity', 'cdp', undefined, 'model', 'cdp', 'platform'),
  r('identity', 'cdp', undefined, 'software', 'cdp', 'software version'),
  r('attribute', 'cdp', undefined, 'capabilities', 'cdp', 'capabilities'),
  r('identity', 'cdp', undefined, 'domain', 'cdp', 'vtp domain'),
  r('hostname', 'snmp', undefined, undefined, 'snmp', 'sysName'),
  r('identity', 'snmp', 'sysDescr', undefined, 'snmp', 'sysDescr'),
  r('attribute', 'snmp', undefined, 'sysObjectID', 'snmp', 'sysObjectID'),
  r('hostname', 'ubiquiti', undefined, undefined, 'ubiquiti', 'host name'),
  r('identity', 'ubiquiti', undefined, 'model', 'ubiquiti', 'model'),
  r('identity', 'ubiquiti', undefined, 'firmware', 'ubiquiti', 'firmware'),
  r('hostname', 'tplink-shp', undefined, undefined, 'tplink', 'alias'),
  r('identity', 'tplink-shp', undefined, undefined, 'tplink', 'identity'),
  // OT identity objects.
  r('identity', 'bacnet', undefined, 'instance', 'bacnet', 'device instance'),
  r('identity', 'bacnet', undefined, 'vendor-id', 'bacnet', 'vendor id'),
  r('identity', 'bacnet', undefined, 'vendor', 'bacnet', 'vendor'),
  r('identity', 'bacnet', undefined, 'model', 'bacnet', 'model'),
  r('identity', 'bacnet', undefined, 'firmware', 'bacnet', 'firmware'),
  r('identity', 'bacnet', undefined, 'software', 'bacnet', 'application software'),
  r('identity', 'bacnet', undefined, 'station-name', 'bacnet', 'object name'),
  r('identity', 'bacnet', undefined, 'description', 'bacnet', 'description'),
  r('identity', 'enip', undefined, 'vendor', 'enip', 'vendor'),
  r('identity', 'enip', undefined, 'vendor-id', 'enip', 'vendor id'),
  r('identity', 'enip', undefined, 'device-type', 'enip', 'device type'),
  r('identity', 'enip', undefined, 'device-type-id', 'enip', 'device type id'),
  r('identity', 'enip', undefined, 'product-code', 'enip', 'product code'),
  r('identity', 'enip', undefined, 'firmware', 'enip', 'revision'),
  r('identity', 'enip', undefined, 'serial', 'enip', 'serial'),
  r('identity', 'enip', undefined, 'product', 'enip', 'product name'),
  // A scanner's Forward_Open: the electronic key it was configured to expect of this target (hearsay,
  // labelled as such beside the target's own Identity) and what its connection addresses.
  r('attribute', 'enip', undefined, 'cip.ekey.vendor', 'enip', "scanner's key vendor"),
  r('attribute', 'enip', undefined, 'cip.ekey.vendor-id', 'enip', "scanner's key vendor id"),
  r('attribute', 'enip', undefined, 'cip.ekey.device-type', 'enip', "scanner's key device type"),
  r('attribute', 'enip', undefined, 'cip.ekey.device-type-id', 'enip', "scanner's key device type id"),
  r('attribute', 'enip', undefined, 'cip.ekey.product-code', 'enip', "scanner's key product code"),
  r('attribute', 'enip', undefined, 'cip.ekey.revision', 'enip', "scanner's key revision"),
  r('attribute', 'enip', undefined, 'cip.connection-target', 'enip', 'connection'),
  r('identity', 'modbus', 'ReadDeviceId.VendorName', undefined, 'modbus', 'vendor'),
  r('identity', 'modbus', 'ReadDeviceId.ProductCode', undefined, 'modbus', 'product code'),
  r('identity', 'modbus', 'ReadDeviceId.MajorMinorRevision', undefined, 'modbus', 'revision'),
  r('identity', 'modbus', 'ReadDeviceId.VendorUrl', undefined, 'modbus', 'vendor url'),
  r('identity', 'modbus', 'ReadDeviceId.ProductName', undefined, 'modbus', 'product name'),
  r('identity', 'modbus', 'ReadDeviceId.ModelName', undefined, 'modbus', 'model'),
  r('identity', 'modbus', 'ReadDeviceId.UserApplicationName', undefined, 'modbus', 'application'),
  r('identity', 'modbus', 'ReadDeviceId.*', undefined, 'modbus', 'object'),
  r('identity', 's7comm', 'SZL0x0011.module', 'model', 's7', 'order number'),
  r('identity', 's7comm', 'SZL0x0011.module', 'hardware', 's7', 'hardware version'),
  r('identity', 's7comm', undefined, 'firmware', 's7', 'firmware'),
  r('attribute', 's7comm', undefined, 's7.module-name', 's7', 'module name'),
  r('identity', 's7comm', undefined, 'product', 's7', 'cpu type'),
  r('identity', 's7comm', undefined, 'station-name', 's7', 'plc name'),
  r('identity', 's7comm', undefined, 'serial', 's7', 'serial'),
  r('attribute', 's7comm', undefined, 's7.plant-id', 's7', 'plant id'),
  r('identity', 'pn_dcp', undefined, 'station-name', 'profinet', 'station name'),
  r('identity', 'pn_dcp', undefined, 'vendor', 'profinet', 'vendor'),
  r('identity', 'pn_dcp', undefined, 'vendor-id', 'profinet', 'vendor id'),
  r('identity', 'pn_dcp', undefined, 'product-code', 'profinet', 'device id'),
  r('identity', 'pn_dcp', undefined, 'product', 'profinet', 'type of station'),
  r('attribute', 'pn_dcp', undefined, 'pn_dcp.device-role', 'profinet', 'role'),
  r('attribute', 'pn_dcp', undefined, 'pn_dcp.alias-name', 'profinet', 'alias name'),
  r('identity', 'pn_dcp', undefined, 'instance', 'profinet', 'instance'),
  // PROFINET IO CM Connect: the device's ids (RPC object UUID), station names, expected modules.
  r('identity', 'pn_io', undefined, 'station-name', 'profinet', 'station name'),
  r('identity', 'pn_io', undefined, 'vendor', 'profinet', 'vendor'),
  r('identity', 'pn_io', undefined, 'vendor-id', 'profinet', 'vendor id'),
  r('identity', 'pn_io', undefined, 'product-code', 'profinet', 'device id'),
  r('identity', 'pn_io', undefined, 'instance', 'profinet', 'instance'),
  r('attribute', 'pn_io', undefined, 'pn_io.module', 'profinet', 'module'),
  r('identity', 'fins', undefined, 'model', 'fins', 'model'),
  r('identity', 'fins', undefined, 'firmware', 'fins', 'version'),
  r('attribute', 'fins', undefined, 'fins.program-area-size', 'fins', 'program area size'),
  r('attribute', 'fins', undefined, 'fins.dm-words', 'fins', 'dm words'),
  r('attribute', 'fins', undefined, 'fins.memory-card', 'fins', 'memory card'),
  r('identity', 'hart-ip', undefined, 'vendor-id', 'hart-ip', 'manufacturer id'),
  r('identity', 'hart-ip', undefined, 'vendor', 'hart-ip', 'manufacturer'),
  r('identity', 'hart-ip', undefined, 'device-type-id', 'hart-ip', 'expanded device type'),
  r('identity', 'hart-ip', undefined, 'serial', 'hart-ip', 'device id'),
  r('identity', 'hart-ip', undefined, 'station-name', 'hart-ip', 'long tag'),
  r('identity', 'hart-ip', undefined, 'firmware', 'hart-ip', 'software revision'),
  r('identity', 'hart-ip', undefined, 'hardware', 'hart-ip', 'hardware revision'),
  r('attribute', 'hart-ip', undefined, 'hart.device-revision', 'hart-ip', 'device revision'),
  r('attribute', 'hart-ip', undefined, 'hart.universal-revision', 'hart-ip', 'hart revision'),
  r('identity', 'roc', undefined, 'device-type-id', 'roc', 'type of roc'),
  r('attribute', 'roc', undefined, 'roc.subtype', 'roc', 'subtype'),
  r('identity', 'roc', undefined, 'instance', 'roc', 'unit address'),
  r('attribute', 'roc', undefined, 'roc.group', 'roc', 'group'),
  r('attribute', 'mqtt', undefined, 'mqtt.client-id', 'mqtt', 'client id'),
  r('attribute', 'opcua', undefined, 'opcua.application-uri', 'opcua', 'application uri'),
  r('attribute', 'opcua', undefined, 'opcua.product-uri', 'opcua', 'product uri'),
  r('identity', 'opcua', undefined, 'product', 'opcua', 'application name'),
  r('attribute', 'dnp3', undefined, 'dnp3.address', 'dnp3', 'address'),
  r('attribute', 'iec104', undefined, 'iec104.common-address', 'iec104', 'common address'),
  r('attribute', 'c37118', undefined, 'c37118.idcode', 'c37118', 'id code'),
  r('identity', 'c37118', undefined, 'station-name', 'c37118', 'station name'),
  r('attribute', 'c37118', undefined, 'c37118.pmu-idcode', 'c37118', 'pmu id code'),
  r('attribute', 'goose', undefined, 'goose.goID', 'goose', 'goose id'),
  r('attribute', 'goose', undefined, 'goose.gocbRef', 'goose', 'control block'),
  r('attribute', 'knxip', undefined, 'knx.individual-address', 'knx', 'individual address'),
  // Behaviour: how often one master polls a field device (Modbus, CIP, S7, DNP3, IEC 104, BACnet: the
  // median interval of its repeated requests), and a CIP producer's cyclic I/O.
  r('attribute', 's7comm', 'poll', 'polled-every', 's7', 'polled every'),
  r('attribute', 's7comm', 'poll', 'polls-every', 's7', 'polls every'),
  r('attribute', 'enip', 'poll', 'io-cycle', 'enip', 'cyclic i/o every'),
  r('attribute', '*', 'poll', 'polled-every', '*', 'polled every'),
  r('attribute', '*', 'poll', 'polls-every', '*', 'polls every'),
  // Whatever a dissector states about itself and is not listed above: shown under its protocol.
  r('hostname', '*', undefined, undefined, '*', 'host name'),
  r('identity', '*', undefined, undefined, '*', '*'),
  r('software', '*', undefined, undefined, '*', 'software'),
];

function matches(pattern: string | undefined, s: string): boolean {
  if (pattern === undefined) return true;
  return pattern.endsWith('*') ? s.startsWith(pattern.slice(0, -1)) : pattern === s;
}

/** The rules by kind, each list in table order, with its position (which orders groups and labels). */
const BY_KIND = new Map<string, { rule: Rule; at: number }[]>();
IDENTITY_RULES.forEach((rule, at) => {
  const list = BY_KIND.get(rule.kind) ?? [];
  list.push({ rule, at });
  BY_KIND.set(rule.kind, list);
});

function ruleFor(f: Fact): { rule: Rule; at: number } | null {
  const l = BY_KIND.get(f.kind);
  if (l === undefined) return null;
  // Indexed: run for every fact of every device written, mostly by code V8 has not optimised, where
  // a for-of makes an object per step.
  for (let i = 0; i < l.length; i++) {
    const x = l[i]!;
    const rl = x.rule;
    if (rl.protocol !== '*' && rl.protocol !== f.protocol) continue;
    if (!matches(rl.field, f.field) || !matches(rl.sub, f.sub)) continue;
    return x;
  }
  return null;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Held {
  at: number;
  group: string;
  /** `group\0label`, made once. */
  labelKey: string;
  fact: IdentityFactJson;
  first: number;
  last: number;
  /** The first rule's place of its group and of its group's label (set before sorting). */
  groupAt: number;
  labelAt: number;
}

/**
 * The identity section of one device from its facts: deduplicated by group, label and value (the
 * earliest first and latest last heard kept), at most MAX_PER_LABEL most recent values per label.
 */
export function identityOf(facts: Iterable<Fact>): IdentityJson {
  const held = new Map<string, Held>();
  for (const f of facts) {
    const m = ruleFor(f);
    if (m === null) continue;
    const raw = rawOf(f.obs).trim();
    if (raw === '') continue;
    const value = raw.length > MAX_IDENTITY_VALUE ? raw.slice(0, MAX_IDENTITY_VALUE) : raw;
    const group = m.rule.group === '*' ? f.protocol : m.rule.group;
    const label = m.rule.label === '*' ? f.sub : m.rule.label;
    const key = `${group}\u0000${label}\u0000${value}`;
    const h = held.get(key);
    if (h === undefined) {
      held.set(key, {
        at: m.at,
        group,
        labelKey: group + '\u0000' + label,
        fact: { label, value, protocol: f.protocol, firstSeen: '', lastSeen: '' },
        first: f.first,
        last: f.last,
        groupAt: 0,
        labelAt: 0,
      });
    } else {
      if (f.first < h.first) h.first = f.first;
      if (f.last > h.last) h.last = f.last;
      if (m.at < h.at) h.at = m.at;
    }
  }
  // Groups and labels in the order of their first rule in the table; values newest first.
  const groupAt = new Map<string, number>();
  const labelAt = new Map<string, number>();
  const sorted = [...held.values()];
  for (const h of sorted) {
    if ((groupAt.get(h.group) ?? Infinity) > h.at) groupAt.set(h.group, h.at);
    if ((labelAt.get(h.labelKey) ?? Infinity) > h.at) labelAt.set(h.labelKey, h.at);
  }
  // Each entry's places looked up once, not in every comparison (which made two arrays and two keys).
  for (const h of sorted) {
    h.groupAt = groupAt.get(h.group)!;
    h.labelAt = labelAt.get(h.labelKey)!;
  }
  sorted.sort(
    (a, b) =>
      a.groupAt - b.groupAt ||
      cmp(a.group, b.group) ||
      a.labelAt - b.labelAt ||
      cmp(a.fact.label, b.fact.label) ||
      b.last - a.last ||
      cmp(a.fact.value, b.fact.value),
  );
  // Sorted, each group's entries are together and so are each label's: a list per group and a count
  // per label as they come (two Maps a device less). Groups are protocol names, which a partial from
  // the network names: entries for Object.fromEntries, so no name is special.
  const out: [string, IdentityFactJson[]][] = [];
  let list: IdentityFactJson[] | null = null;
  let group = '';
  let labelKey = '';
  let n = 0;
  for (const h of sorted) {
    if (list === null || h.group !== group) {
      group = h.group;
      out.push([group, (list = [])]);
      labelKey = '';
    }
    if (h.labelKey !== labelKey) {
      labelKey = h.labelKey;
      n = 0;
    }
    if (n >= MAX_PER_LABEL) continue;
    n++;
    h.fact.firstSeen = isoTime(h.first);
    h.fact.lastSeen = isoTime(h.last);
    list.push(h.fact);
  }
  return Object.fromEntries(out);
}

/** The newest value of the first (group, label) pair that has one: for exports' chosen columns. */
export function identityValue(
  id: IdentityJson | undefined,
  picks: readonly (readonly [group: string, label: string])[],
): string | null {
  if (id === undefined) return null;
  for (const [g, l] of picks) {
    const f = id[g]?.find((x) => x.label === l);
    if (f !== undefined) return f.value;
  }
  return null;
}

/**
 * The identity section as short JSON, `{"dhcp":{"host name":["x"]}}`, for one cell or line: no
 * times or protocols, and never longer than `max` characters (values past it left out whole, so the
 * text stays valid JSON).
 */
export function compactIdentity(id: IdentityJson | undefined, max = 32_000): string {
  const out: Record<string, Record<string, string[]>> = {};
  let len = 2;
  for (const [g, facts] of Object.entries(id ?? {})) {
    for (const f of facts) {
      const grow =
        JSON.stringify(f.value).length + 1 + (out[g]?.[f.label] ? 0 : JSON.stringify(f.label).length + 4);
      const add = grow + (out[g] ? 0 : JSON.stringify(g).length + 4);
      if (len + add > max) return JSON.stringify(out);
      len += add;
      ((out[g] ??= {})[f.label] ??= []).push(f.value);
    }
  }
  return JSON.stringify(out);
}

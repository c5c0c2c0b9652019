import type { Observation } from '../../../shared/model/observation';

/**
 * Differential test cases against tshark (Wireshark 4.0): one tshark field, the captures that carry
 * its protocol, and how to read the same value from our observations. The runner is
 * differential.test.ts; the tables are split by protocol family (differential-cases-*.ts).
 */
export interface Case {
  field: string;
  /** MANIFEST protocol names that select captures; '*' selects every capture. */
  protos: string[];
  /** Our value(s) from one observation, or null when the observation is not about this field. */
  ours: (o: Observation) => string | string[] | null;
  /** 'equal': our set per frame equals tshark's; 'subset': ours within tshark's (we keep fewer on purpose). */
  mode: 'equal' | 'subset';
  /** Keep only tshark frames where this extra field is present (e.g. 'tcp.srcport' for HTTP over TCP). */
  requires?: string;
  /**
   * HTTP: tshark reports header fields at the frame that completes the message body; we report them
   * where the header block completes. Compare per message: any frame of its TCP segments counts.
   */
  segments?: boolean;
  /** More tshark fields that `theirs` reads through `row`. */
  also?: string[];
  /** Transform tshark's values (split lists, drop what we do not report); `row(f)` reads another field. */
  theirs?: (vals: string[], extra: string[], row: (field: string) => string[]) => string[];
  /** The protocol tshark must have dissected for a frame to count (default: the field's prefix). */
  proto?: string;
  /** Test name suffix when one field has several cases. */
  label?: string;
  minAgreement: number;
}

export const norm = (s: string) =>
  s
    .replace(/\\[rn]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();

/** Names, fingerprints and banners: the first cases. */
export const CASES: Case[] = [
  {
    field: 'dhcp.option.hostname',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'dhcp' && o.kind === 'hostname' && o.field === 'option12' ? o.name : null),
  },
  {
    field: 'dhcp.option.request_list_item',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => (v.length ? [v.join(',')] : []),
    ours: (o) => (o.kind === 'fingerprint' && o.scheme === 'dhcp' ? o.value : null),
  },
  {
    field: 'dhcp.option.vendor_class_id',
    protos: ['dhcp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) =>
      o.protocol === 'dhcp' &&
      o.kind === 'attribute' &&
      (o.key === 'vendor-class' || o.key === 'vendor-class-served')
        ? o.value
        : null,
  },
  {
    field: 'lldp.tlv.system.name',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'lldp' && o.kind === 'hostname' ? o.name : null),
  },
  // tshark joins the lines of a multi-line description with nothing between; we put a space there.
  {
    field: 'lldp.tlv.system.desc',
    protos: ['lldp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.map((x) => x.replace(/\s+/g, '')),
    ours: (o) =>
      o.protocol === 'lldp' && o.kind === 'identity' && o.attr === 'description'
        ? o.value.replace(/\s+/g, '')
        : null,
  },
  {
    field: 'cdp.deviceid',
    protos: ['cdp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'cdp' && o.kind === 'hostname' ? o.name : null),
  },
  {
    field: 'cdp.platform',
    protos: ['cdp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'cdp' && o.kind === 'identity' && o.attr === 'model' ? o.value : null),
  },
  {
    field: 'cdp.software_version',
    protos: ['cdp'],
    mode: 'equal',
    minAgreement: 1,
    // tshark splits the multi-line banner into one value per line; we keep one value, lines joined by a space.
    theirs: (v) => (v.length ? [v.join(' ')] : []),
    ours: (o) => (o.protocol === 'cdp' && o.kind === 'identity' && o.attr === 'software' ? o.value : null),
  },
  // Names of address records we report must be names tshark shows in the same frame's records.
  {
    field: 'dns.resp.name',
    protos: ['dns', 'mdns', 'llmnr'],
    mode: 'subset',
    minAgreement: 1,
    ours: (o) =>
      ['dns', 'mdns', 'llmnr'].includes(o.protocol) && o.kind === 'address' && /^A/.test(o.field)
        ? o.name
        : null,
  },
  {
    field: 'dns.a',
    protos: ['dns', 'mdns', 'llmnr'],
    mode: 'subset',
    minAgreement: 1,
    ours: (o) =>
      ['dns', 'mdns', 'llmnr'].includes(o.protocol) && o.kind === 'address' && o.field.startsWith('A.')
        ? o.ip
        : null,
  },
  {
    field: 'dns.aaaa',
    protos: ['dns', 'mdns', 'llmnr'],
    mode: 'subset',
    minAgreement: 1,
    ours: (o) =>
      ['dns', 'mdns', 'llmnr'].includes(o.protocol) && o.kind === 'address' && o.field.startsWith('AAAA.')
        ? o.ip
        : null,
  },
  {
    field: 'dns.txt',
    protos: ['mdns'],
    mode: 'subset',
    minAgreement: 1,
    requires: 'udp.srcport',
    theirs: (v) =>
      v
        .filter((s) => s.includes('=') && !s.startsWith('='))
        .map((s) => s.slice(0, s.indexOf('=')).toLowerCase() + '=' + s.slice(s.indexOf('=') + 1)),
    ours: (o) =>
      o.protocol === 'mdns' && o.kind === 'attribute' && o.key.startsWith('txt.') && o.value !== ''
        ? o.key.slice(4) + '=' + o.value
        : null,
  },
  {
    field: 'http.user_agent',
    protos: ['http'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'tcp.srcport',
    segments: true,
    ours: (o) => (o.protocol === 'http' && o.kind === 'software' && o.field === 'User-Agent' ? o.raw : null),
  },
  {
    field: 'http.server',
    protos: ['http'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'tcp.srcport',
    segments: true,
    ours: (o) => (o.protocol === 'http' && o.kind === 'software' && o.field === 'Server' ? o.raw : null),
  },
  {
    field: 'http.server',
    protos: ['ssdp'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'udp.srcport',
    ours: (o) => (o.protocol === 'ssdp' && o.kind === 'software' && o.field === 'SERVER' ? o.raw : null),
  },
  {
    field: 'tls.handshake.extensions_server_name',
    protos: ['tls'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'tls' && o.kind === 'name-query' ? o.name : null),
  },
  {
    field: 'tls.handshake.ja3',
    protos: ['tls'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.kind === 'fingerprint' && o.scheme === 'ja3' ? o.value : null),
  },
  {
    field: 'tls.handshake.ja3s',
    protos: ['tls'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.kind === 'fingerprint' && o.scheme === 'ja3s' ? o.value : null),
  },
  // tshark lists the DNS names of every certificate in the chain; we read the leaf (server) certificate only.
  {
    field: 'x509ce.dNSName',
    protos: ['tls'],
    mode: 'subset',
    minAgreement: 1,
    ours: (o) =>
      o.protocol === 'tls' && o.kind === 'attribute' && o.key === 'tls-cert.san' ? o.value : null,
  },
  {
    field: 'ssh.protocol',
    protos: ['ssh'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'ssh' && o.kind === 'software' ? o.raw : null),
  },
  {
    field: 'ssh.kex.hassh',
    protos: ['ssh'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.kind === 'fingerprint' && o.scheme === 'hassh' ? o.value : null),
  },
  {
    field: 'ssh.kex.hasshserver',
    protos: ['ssh'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.kind === 'fingerprint' && o.scheme === 'hassh-server' ? o.value : null),
  },
  // tshark lists every name in the packet (questions and records); we report queries and own names.
  {
    field: 'nbns.name',
    protos: ['nbns'],
    mode: 'subset',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'nbns' && o.kind === 'name-query' ? o.name : null),
  },
  {
    field: 'snmp.value.octets',
    protos: ['snmp'],
    mode: 'subset',
    minAgreement: 1,
    // tshark prints octet strings as hex in field output.
    theirs: (v) =>
      v.map((h) =>
        /^([0-9a-f]{2}:?)+$/.test(h) ? Buffer.from(h.replace(/:/g, ''), 'hex').toString('utf8') : h,
      ),
    ours: (o) =>
      o.protocol === 'snmp' && (o.kind === 'identity' || o.kind === 'hostname')
        ? o.kind === 'hostname'
          ? o.name
          : o.value
        : null,
  },
];

/**
 * Frames where we knowingly differ, with the reason. Key: `${field}@${file}#${frame}`.
 */
export const EXCEPTIONS: Record<string, string> = {
  'dhcp.option.hostname@iot-setup__iot-sentinel__HueBridge_Setup-A-2-STA.pcap#71':
    'a DHCP ACK quoted inside an ICMP host-unreachable error: tshark decodes the quote, we do not treat it as traffic',
  'dhcp.option.request_list_item@fuzz-bad-shb__gopacket__le_test901.pcapng#3':
    'tshark stops at the second section (SHB version 2.0, MANIFEST: readable before error); our reader goes on',
  'tls.handshake.ja3s@multi-lan-mixed__ndpi__teams.pcap#1034':
    'the server flight arrives out of order (segments 1027,1030,1028,1033,1034): tshark reorders TCP, we stop a direction at a gap',
  'tls.handshake.ja3s@multi-lan-mixed__ndpi__teams.pcap#1094': 'out-of-order server flight, as above',
};

/** Exception entries for several frames of one capture that differ for the same reason. */
export function except(id: string, file: string, frames: number[], reason: string): Record<string, string> {
  return Object.fromEntries(frames.map((n) => [`${id}@${file}#${n}`, reason]));
}

import type { Observation } from '../../../shared/model/observation';
import { except, type Case } from './differential-cases';

/**
 * SNMP, HTTP, SSDP, TLS, SIP, NTP and TCP SYN signature fields beyond the banners, fingerprints and
 * names of differential-cases.ts.
 */

const attr = (o: Observation, proto: string, key: string) =>
  o.protocol === proto && o.kind === 'attribute' && o.key === key ? o.value : null;
const software = (o: Observation, proto: string, field: string) =>
  o.protocol === proto && o.kind === 'software' && o.field === field ? o.raw : null;

/** Header lines of an HTTP-style message (tshark keeps each as "Name: value\r\n") named `name`. */
const header = (lines: string[], name: string) =>
  lines
    .map((l) => l.replace(/(\\r\\n|\r\n)$/, ''))
    .filter((l) => l.toLowerCase().startsWith(name + ':'))
    .map((l) => l.slice(name.length + 1).trim());
/** Known headers are in http.request.line / http.response.line, others in http.unknown_header. */
const HEADER_FIELDS = ['http.request.line', 'http.response.line', 'http.unknown_header'];
const headerOf =
  (name: string) =>
  (_v: string[], _e: string[], row: (f: string) => string[]): string[] =>
    HEADER_FIELDS.flatMap((f) => header(row(f), name));

/** RFC 5905 modes 1..5, named the way our attribute names them. */
const NTP_MODES = ['', 'symmetric-active', 'symmetric-passive', 'client', 'server', 'broadcast'];

/** The SYN / SYN-ACK signature of a frame: fields of "<ver>:<ittl>:<ipopts>:<mss>:<win>:<ws>:<layout>:<quirks>". */
const sig = (o: Observation, i: number) => {
  if (o.kind !== 'fingerprint' || (o.scheme !== 'tcp-syn' && o.scheme !== 'tcp-synack')) return null;
  const v = o.value.split(':')[i] ?? '';
  return v === '*' ? null : v;
};
const syn = (row: (f: string) => string[]) => row('tcp.flags.syn').some((x) => x === '1' || x === 'True');
/** The innermost header's value (tunnels carry an outer IP header too). */
const last = (v: string[]) => (v.length ? [v[v.length - 1]!] : []);
const ittl = (ttl: string) => {
  const t = Number(ttl);
  return String(t <= 32 ? 32 : t <= 64 ? 64 : t <= 128 ? 128 : 255);
};
/** GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa. */
const grease = (v: string) => /^0x([0-9a-f])a\1a$/i.test(v);

/** TCP option kinds as our layout letters: EOL, NOP, MSS, window scale, SACK permitted, SACK, timestamps. */
const OPTION_LETTERS: Record<string, string> = {
  '0': 'E',
  '1': 'N',
  '2': 'M',
  '3': 'W',
  '4': 'S',
  '5': 'K',
  '8': 'T',
};

const clientHello = (row: (f: string) => string[]) => row('tls.handshake.type').includes('1');

/** A SYN / SYN-ACK header field tshark shows as is, against field `i` of our signature. */
function synField(field: string, label: string, i: number): Case {
  return {
    field,
    label,
    protos: ['*'],
    mode: 'equal',
    minAgreement: 1,
    proto: 'tcp',
    also: ['tcp.flags.syn'],
    theirs: (v, _e, row) => (syn(row) ? last(v) : []),
    ours: (o) => sig(o, i),
  };
}

export const CASES: Case[] = [
  // sysObjectID values from responses; tshark lists every OID-typed value of the PDU.
  {
    field: 'snmp.value.oid',
    protos: ['snmp'],
    mode: 'subset',
    minAgreement: 1,
    ours: (o) => attr(o, 'snmp', 'sysObjectID'),
  },
  {
    field: 'snmp.enterprise',
    protos: ['snmp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => attr(o, 'snmp', 'snmp-enterprise'),
  },
  // SNMPv3 messages are marked by version (encrypted or not).
  {
    field: 'snmp.msgVersion',
    protos: ['snmp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.filter((x) => x === '3'),
    ours: (o) => attr(o, 'snmp', 'snmp-version'),
  },
  // A v1 trap's agent-addr names the agent; we report the agent (by that address) in the snmp-agent role.
  {
    field: 'snmp.agent_addr',
    protos: ['snmp'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'snmp' && o.kind === 'role' && o.field === 'trap' ? o.device.ip : null),
  },
  // Host names of requests: we keep names, not IP literals, without the port, lower-cased.
  {
    field: 'http.host',
    protos: ['http'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'tcp.srcport',
    segments: true,
    theirs: (v) =>
      v
        .filter((h) => !h.startsWith('['))
        .map((h) => h.replace(/:\d*$/, '').toLowerCase())
        .filter((h) => !/^[0-9.]+$/.test(h)),
    ours: (o) => (o.protocol === 'http' && o.kind === 'address' && o.field === 'Host' ? o.name : null),
  },
  // tshark has no field of its own for X-Powered-By: the header line is read from http.response.line.
  {
    field: 'http.response.line',
    label: 'X-Powered-By',
    protos: ['http'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'tcp.srcport',
    segments: true,
    theirs: (v) => header(v, 'x-powered-by'),
    ours: (o) => software(o, 'http', 'X-Powered-By'),
  },
  // SSDP rides on tshark's HTTP dissector over UDP.
  {
    field: 'http.location',
    protos: ['ssdp'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'udp.srcport',
    proto: 'ssdp',
    ours: (o) => attr(o, 'ssdp', 'location-url'),
  },
  {
    field: 'http.user_agent',
    label: 'SSDP M-SEARCH',
    protos: ['ssdp'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'udp.srcport',
    proto: 'ssdp',
    ours: (o) => software(o, 'ssdp', 'USER-AGENT'),
  },
  // NT of a NOTIFY, ST of a search response: the announced type; ST of an M-SEARCH: what is searched.
  {
    field: 'http.request.line',
    label: 'SSDP NT / ST',
    protos: ['ssdp'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'udp.srcport',
    proto: 'ssdp',
    also: [...HEADER_FIELDS, 'http.request.method'],
    theirs: (v, e, row) => headerOf(row('http.request.method')[0] === 'NOTIFY' ? 'nt' : 'st')(v, e, row),
    ours: (o) => attr(o, 'ssdp', 'upnp-type') ?? attr(o, 'ssdp', 'search-target'),
  },
  {
    field: 'http.response.line',
    label: 'SSDP USN uuid',
    protos: ['ssdp'],
    mode: 'equal',
    minAgreement: 1,
    requires: 'udp.srcport',
    proto: 'ssdp',
    also: HEADER_FIELDS,
    theirs: (v, e, row) =>
      headerOf('usn')(v, e, row).flatMap((u) => {
        const m = /uuid:([0-9a-z-]{8,64})/i.exec(u);
        return m ? [m[1]!.toLowerCase()] : [];
      }),
    ours: (o) => (o.protocol === 'ssdp' && o.kind === 'identity' && o.attr === 'uuid' ? o.value : null),
  },
  // ALPN and supported versions of ClientHellos (a ServerHello repeats the one chosen).
  {
    field: 'tls.handshake.extensions_alpn_str',
    protos: ['tls'],
    mode: 'equal',
    minAgreement: 1,
    also: ['tls.handshake.type'],
    theirs: (v, _e, row) => (clientHello(row) && v.length ? [v.join(',')] : []),
    ours: (o) => attr(o, 'tls', 'tls-alpn'),
  },
  {
    field: 'tls.handshake.extensions.supported_version',
    protos: ['tls'],
    mode: 'equal',
    minAgreement: 1,
    also: ['tls.handshake.type'],
    theirs: (v, _e, row) => {
      const list = v.filter((x) => !grease(x)).map((x) => x.replace(/^0x/, '').toLowerCase());
      return clientHello(row) && list.length ? [list.join(',')] : [];
    },
    ours: (o) => attr(o, 'tls', 'tls-versions'),
  },
  // The leaf certificate's subject CN and O must be strings tshark shows among the chain's names. The
  // frames where only tshark has names carry OCSP responses (stapled CertificateStatus, or OCSP over HTTP).
  {
    field: 'x509sat.printableString',
    label: 'certificate subject CN and O',
    protos: ['tls'],
    mode: 'subset',
    minAgreement: 1,
    also: ['x509sat.uTF8String', 'x509sat.teletexString', 'x509sat.bmpString', 'x509sat.universalString'],
    theirs: (v, _e, row) => [
      ...v,
      ...row('x509sat.uTF8String'),
      ...row('x509sat.teletexString'),
      ...row('x509sat.bmpString'),
      ...row('x509sat.universalString'),
    ],
    ours: (o) => attr(o, 'tls', 'tls-cert.cn') ?? attr(o, 'tls', 'tls-cert.o'),
  },
  // Every value of the leaf certificate's subject and issuer ("CN=a,O=b,C=US", known attributes) must be a
  // string tshark decodes in the chain (DirectoryString choices, CountryName, serialNumber).
  {
    field: 'x509sat.printableString',
    label: 'certificate subject and issuer values',
    protos: ['tls'],
    mode: 'subset',
    minAgreement: 1,
    also: [
      'x509sat.uTF8String',
      'x509sat.teletexString',
      'x509sat.bmpString',
      'x509sat.universalString',
      'x509sat.CountryName',
      'x509sat.PrintableString',
    ],
    theirs: (v, _e, row) => [
      ...v,
      ...row('x509sat.uTF8String'),
      ...row('x509sat.teletexString'),
      ...row('x509sat.bmpString'),
      ...row('x509sat.universalString'),
      ...row('x509sat.CountryName'),
      ...row('x509sat.PrintableString'),
    ],
    ours: (o) => {
      const dn = attr(o, 'tls', 'tls-cert.subject') ?? attr(o, 'tls', 'tls-cert.issuer');
      return dn === null
        ? null
        : dn.split(/,(?=(?:CN|O|OU|C|L|ST|serialNumber)=)/).map((x) => x.slice(x.indexOf('=') + 1));
    },
  },
  {
    field: 'sip.User-Agent',
    protos: ['sip'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => software(o, 'sip', 'User-Agent'),
  },
  {
    field: 'sip.Server',
    protos: ['sip'],
    mode: 'equal',
    minAgreement: 1,
    ours: (o) => software(o, 'sip', 'Server'),
  },
  // Modes 1..5 (control and private messages carry no time: not reported).
  {
    field: 'ntp.flags.mode',
    protos: ['ntp'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.map((m) => NTP_MODES[Number(m)] ?? '').filter((m) => m !== ''),
    ours: (o) => attr(o, 'ntp', 'ntp-mode'),
  },
  // A server's (mode 4) or broadcaster's (5) stratum.
  {
    field: 'ntp.stratum',
    protos: ['ntp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['ntp.flags.mode'],
    theirs: (v, _e, row) => (['4', '5'].includes(row('ntp.flags.mode')[0] ?? '') ? v : []),
    ours: (o) => attr(o, 'ntp', 'ntp-stratum'),
  },
  // A stratum-1 server's reference id names its clock source in ASCII (RFC 5905 7.3): "GPS", "PPS", "DCFa".
  {
    field: 'ntp.refid',
    protos: ['ntp'],
    mode: 'equal',
    minAgreement: 1,
    also: ['ntp.flags.mode', 'ntp.stratum'],
    theirs: (v, _e, row) =>
      ['4', '5'].includes(row('ntp.flags.mode')[0] ?? '') && row('ntp.stratum')[0] === '1'
        ? v
            .map((h) => Buffer.from(h.replace(/:/g, ''), 'hex').toString('latin1').replace(/\0+$/, ''))
            .filter((s) => /^[\x21-\x7e]+$/.test(s))
        : [],
    ours: (o) => attr(o, 'ntp', 'ntp-refid'),
  },
  // TCP SYN / SYN-ACK signatures, every capture: each part against the header field it comes from.
  {
    field: 'ip.ttl',
    label: 'SYN initial TTL',
    protos: ['*'],
    mode: 'equal',
    minAgreement: 1,
    proto: 'tcp',
    also: ['tcp.flags.syn', 'ipv6.hlim'],
    theirs: (v, _e, row) => (syn(row) ? last([...v, ...row('ipv6.hlim')]).map(ittl) : []),
    ours: (o) => sig(o, 1),
  },
  {
    field: 'ip.flags.df',
    label: 'SYN DF quirk',
    protos: ['*'],
    mode: 'equal',
    minAgreement: 1,
    proto: 'tcp',
    also: ['tcp.flags.syn'],
    theirs: (v, _e, row) =>
      syn(row) ? last(v).map((x) => (x === '1' || x === 'True' ? 'df' : 'no df')) : [],
    ours: (o) => {
      const q = sig(o, 7);
      return q === null || o.kind !== 'fingerprint' || !o.value.startsWith('4:')
        ? null
        : q.split(',').includes('df')
          ? 'df'
          : 'no df';
    },
  },
  synField('tcp.window_size_value', 'SYN window', 4),
  synField('tcp.options.mss_val', 'SYN MSS', 3),
  synField('tcp.options.wscale.shift', 'SYN window scale', 5),
  // The option layout: kinds in order, EOL ends it (our letters: p0f's, see tcp-signature.ts).
  {
    field: 'tcp.option_kind',
    label: 'SYN option layout',
    protos: ['*'],
    mode: 'equal',
    minAgreement: 1,
    proto: 'tcp',
    also: ['tcp.flags.syn'],
    theirs: (v, _e, row) => {
      if (!syn(row) || v.length === 0) return [];
      const eol = v.indexOf('0');
      const kinds = eol < 0 ? v : v.slice(0, eol + 1);
      return [kinds.map((k) => OPTION_LETTERS[k] ?? '?' + k).join(',')];
    },
    ours: (o) => sig(o, 6),
  },
  {
    field: 'ip.hdr_len',
    label: 'SYN IP option bytes',
    protos: ['*'],
    mode: 'equal',
    minAgreement: 1,
    proto: 'tcp',
    also: ['tcp.flags.syn'],
    theirs: (v, _e, row) => (syn(row) ? last(v).map((h) => String(Number(h) - 20)) : []),
    ours: (o) => (o.kind === 'fingerprint' && o.value.startsWith('4:') ? sig(o, 2) : null),
  },
  // Quirks: df and id0 (IPv4), ecn (ECE or CWR on the SYN, or ECN bits in the IP header).
  {
    field: 'ip.id',
    label: 'SYN quirks',
    protos: ['*'],
    mode: 'equal',
    minAgreement: 1,
    proto: 'tcp',
    also: [
      'tcp.flags.syn',
      'ip.flags.df',
      'tcp.flags.ece',
      'tcp.flags.cwr',
      'ip.dsfield.ecn',
      'ipv6.tclass.ecn',
    ],
    theirs: (v, _e, row) => {
      if (!syn(row)) return [];
      const set = (f: string) => last(row(f)).some((x) => x === '1' || x === 'True');
      const q: string[] = [];
      if (v.length) {
        if (set('ip.flags.df')) q.push('df');
        if (Number(last(v)[0]) === 0) q.push('id0');
      }
      const ecnBits = last([...row('ip.dsfield.ecn'), ...row('ipv6.tclass.ecn')]).some((x) => x !== '0');
      if (set('tcp.flags.ece') || set('tcp.flags.cwr') || ecnBits) q.push('ecn');
      return q.length ? [q.join(',')] : [];
    },
    ours: (o) => sig(o, 7) || null,
  },
];

const FUZZ = 'fuzz-packets__ndpi__fuzz-2006-06-26-2594.pcap';
const EDNET = 'iot-setup__iot-sentinel__EdnetGateway_Setup-A-2-STA.pcap';

export const EXCEPTIONS: Record<string, string> = {
  'snmp.msgVersion@fuzz-snmp__tcpdump__snmp-heapoverflow-1.pcap#5':
    'cut by the snap length inside msgGlobalData: we accept a v3 message only with its flags and security parameters; tshark shows the version it read',
  ...except(
    'sip.User-Agent',
    FUZZ,
    [107],
    'fuzzed method "REGIStER": our request-line check is case-sensitive (RFC 3261 methods are), tshark accepts it',
  ),
  ...except(
    'sip.User-Agent',
    FUZZ,
    [247],
    'fuzzed line end (CR followed by "7Via"): our first line runs to the next LF and fails the request-line check',
  ),
  ...except(
    'sip.User-Agent',
    FUZZ,
    [259, 266, 548],
    'a fuzzed byte in the header value: tshark shows U+FFFD, we drop control bytes and read others as Latin-1',
  ),
  ...except(
    'ntp.flags.mode',
    EDNET,
    [66, 75, 78],
    'an NTP request quoted inside an ICMP port-unreachable error: tshark decodes the quote, we do not treat it as traffic',
  ),
};

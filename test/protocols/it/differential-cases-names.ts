import type { Observation } from '../../../shared/model/observation';
import { except, type Case } from './differential-cases';

/**
 * DNS / mDNS / LLMNR and NetBIOS (name service, datagram browser announcements) fields beyond the
 * address records, TXT pairs and NetBIOS query names of differential-cases.ts.
 */

const DNS_LIKE = ['dns', 'mdns', 'llmnr'];
const dnsLike = (o: Observation) => DNS_LIKE.includes(o.protocol);
const yes = (v: string | undefined) => v === '1' || v === 'True';

/** Browser announcements we read: HostAnnouncement, DomainAnnouncement, LocalMasterAnnouncement. */
const ANNOUNCEMENTS = new Set(['0x01', '0x0c', '0x0f']);
const command = (row: (f: string) => string[]) => row('browser.command')[0] ?? '';
/** Host and local-master announcements: the sender describes itself (OS version, type bits, comment). */
const hostAnnouncement = (row: (f: string) => string[]) => ['0x01', '0x0f'].includes(command(row));

/** [MS-BRWS] 2.2.1.1.2 server type bits, named the way our attribute names them. */
const SERVER_TYPE_BITS: [number, string][] = [
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

/** A NetBIOS name we report: a host name, or a group/workgroup name as an identity value. */
const nameOf = (o: Observation) => (o.kind === 'hostname' ? o.name : o.kind === 'identity' ? o.value : null);

export const CASES: Case[] = [
  // Questions of queries (LLMNR names included); responses repeat the question: not a query by the
  // sender. We read the first 32 questions of a message (a bound), mDNS queries may carry more.
  {
    field: 'dns.qry.name',
    protos: DNS_LIKE,
    mode: 'equal',
    minAgreement: 1,
    also: ['dns.flags.response'],
    theirs: (v, _e, row) =>
      row('dns.flags.response').some(yes) ? [] : v.slice(0, 32).filter((x) => x !== '<Root>'),
    ours: (o) => (dnsLike(o) && o.kind === 'name-query' ? o.name : null),
  },
  // PTR targets we report (service types and instances in mDNS/LLMNR, reverse names everywhere); tshark
  // lists every PTR of the packet, ours are those of the sender's own records.
  {
    field: 'dns.ptr.domain_name',
    protos: DNS_LIKE,
    mode: 'subset',
    minAgreement: 1,
    ours: (o) =>
      !dnsLike(o) || !o.field.startsWith('PTR.')
        ? null
        : o.kind === 'attribute'
          ? o.value
          : o.kind === 'hostname' || o.kind === 'address'
            ? o.name
            : null,
  },
  {
    field: 'dns.srv.target',
    protos: DNS_LIKE,
    mode: 'subset',
    minAgreement: 1,
    ours: (o) => (dnsLike(o) && o.kind === 'hostname' && o.field === 'SRV.target' ? o.name : null),
  },
  {
    field: 'dns.srv.port',
    protos: DNS_LIKE,
    mode: 'subset',
    minAgreement: 1,
    ours: (o) => (dnsLike(o) && o.kind === 'service' && o.field.startsWith('SRV.') ? String(o.port) : null),
  },
  // Addresses of unique (non-group) NB records; tshark also lists the addresses of group names.
  {
    field: 'nbns.addr',
    protos: ['nbns'],
    mode: 'subset',
    minAgreement: 1,
    ours: (o) => (o.protocol === 'nbns' && o.kind === 'address' ? o.ip : null),
  },
  // Names registered or answered in NB records (hosts and workgroups); tshark shows "NAME<xx> (service)".
  {
    field: 'nbns.name',
    label: 'NB record names',
    protos: ['nbns'],
    mode: 'subset',
    minAgreement: 1,
    theirs: (v) => v.map((x) => x.replace(/<[0-9a-f]{2}>( \(.*\))?$/i, '').trimEnd()),
    ours: (o) => (o.protocol === 'nbns' && o.field.endsWith('.NB') ? nameOf(o) : null),
  },
  // Node status: the node's name table. tshark shows "NAME<xx>" with the blanks of the 15-byte field.
  {
    field: 'nbns.netbios_name',
    protos: ['nbns'],
    mode: 'subset',
    minAgreement: 1,
    theirs: (v) => v.map((x) => x.replace(/<[0-9a-f]{2}>$/i, '').trimEnd()),
    ours: (o) => (o.protocol === 'nbns' && o.field === 'NBSTAT' ? nameOf(o) : null),
  },
  {
    field: 'nbns.unit_id',
    protos: ['nbns'],
    mode: 'equal',
    minAgreement: 1,
    theirs: (v) => v.filter((x) => x !== '00:00:00:00:00:00'),
    ours: (o) => (o.protocol === 'nbns' && o.kind === 'attribute' && o.key === 'unit-id' ? o.value : null),
  },
  // The announcing server's name; in a DomainAnnouncement the same field holds the workgroup.
  {
    field: 'browser.server',
    protos: ['browser'],
    mode: 'equal',
    minAgreement: 1,
    also: ['browser.command'],
    theirs: (v, _e, row) => (ANNOUNCEMENTS.has(command(row)) ? v : []),
    ours: (o) =>
      o.protocol !== 'browser'
        ? null
        : o.kind === 'hostname'
          ? o.name
          : o.kind === 'identity' && o.field === 'DomainAnnouncement.domain'
            ? o.value
            : null,
  },
  {
    field: 'browser.os_major',
    protos: ['browser'],
    mode: 'equal',
    minAgreement: 1,
    also: ['browser.command', 'browser.os_minor'],
    theirs: (v, _e, row) =>
      hostAnnouncement(row) ? v.map((maj, i) => `${maj}.${row('browser.os_minor')[i] ?? ''}`) : [],
    ours: (o) =>
      o.protocol === 'browser' && o.kind === 'identity' && o.attr === 'os-version' ? o.value : null,
  },
  {
    field: 'browser.server_type',
    protos: ['browser'],
    mode: 'equal',
    minAgreement: 1,
    also: ['browser.command'],
    theirs: (v, _e, row) =>
      hostAnnouncement(row)
        ? v.map((h) =>
            SERVER_TYPE_BITS.filter(([b]) => (Number(h) & b) !== 0)
              .map(([, n]) => n)
              .join(','),
          )
        : [],
    ours: (o) =>
      o.protocol === 'browser' && o.kind === 'attribute' && o.key === 'server-type' ? o.value : null,
  },
  {
    field: 'browser.comment',
    protos: ['browser'],
    mode: 'equal',
    minAgreement: 1,
    also: ['browser.command'],
    theirs: (v, _e, row) => (hostAnnouncement(row) ? v : []),
    ours: (o) =>
      o.protocol === 'browser' && o.kind === 'identity' && o.attr === 'description' ? o.value : null,
  },
  // A host announcement sent to WORKGROUP<1d> / <1e> names the sender's workgroup.
  {
    field: 'nbdgm.destination_name',
    protos: ['browser'],
    mode: 'equal',
    minAgreement: 1,
    also: ['browser.command'],
    theirs: (v, _e, row) =>
      hostAnnouncement(row)
        ? v.filter((x) => /<1[de]>$/i.test(x)).map((x) => x.replace(/<1[de]>$/i, '').trimEnd())
        : [],
    ours: (o) =>
      o.protocol === 'browser' && o.kind === 'identity' && o.field.endsWith('.destination') ? o.value : null,
  },
];

const FUZZ = 'fuzz-packets__ndpi__fuzz-2006-06-26-2594.pcap';

export const EXCEPTIONS: Record<string, string> = {
  ...except(
    'dns.qry.name',
    FUZZ,
    [41, 105, 110, 166, 187, 295, 304, 309, 315, 337, 351, 353, 364, 372, 407, 496, 541, 588],
    'fuzzed header counts (a unicast query with more than one question, or over 4096 records): our header check refuses the message, tshark shows the first question anyway',
  ),
  ...except(
    'dns.qry.name',
    FUZZ,
    [25, 111, 382, 384, 391, 450, 517, 579, 605],
    'a label of obsolete type 0x40/0x80 ("<Unknown extended label>" in tshark): we refuse the name',
  ),
  ...except(
    'dns.qry.name',
    FUZZ,
    [218],
    'a label holding a NUL byte: tshark escapes it (\\000), our text stops at the NUL',
  ),
  ...except(
    'dns.qry.name',
    FUZZ,
    [331, 662],
    'a label holding a control byte: tshark escapes it (\\r, \\022), we drop it (CR becomes a blank)',
  ),
};

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Observation } from '../../../shared/model/observation';
import { tsharkAvailable, tsharkFields } from '../../helpers/tshark';
import { PCAPS, runCapture, type RunResult } from './corpus';

/**
 * Differential test against tshark (Wireshark 4.0): for fields both decode, compare values frame by
 * frame on every corpus capture whose MANIFEST protocols include the protocol. Agreement per field is
 * printed; where we differ for a reason, the reason is listed in EXCEPTIONS.
 */
interface Case {
  field: string;
  /** MANIFEST protocol names that select captures. */
  protos: string[];
  /** tshark fields fetched with it (to filter transport etc.). */
  ours: (o: Observation) => string | null;
  /** 'equal': our set per frame equals tshark's; 'subset': ours within tshark's (we keep fewer on purpose). */
  mode: 'equal' | 'subset';
  /** Keep only tshark frames where this extra field is present (e.g. 'tcp.srcport' for HTTP over TCP). */
  requires?: string;
  /**
   * HTTP: tshark reports header fields at the frame that completes the message body; we report them
   * where the header block completes. Compare per message: any frame of its TCP segments counts.
   */
  segments?: boolean;
  /** Transform tshark's values (split lists, drop what we do not report). */
  theirs?: (vals: string[], extra: string[]) => string[];
  minAgreement: number;
}

const norm = (s: string) =>
  s
    .replace(/\\[rn]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();

const CASES: Case[] = [
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
const EXCEPTIONS: Record<string, string> = {
  'dhcp.option.hostname@iot-setup__iot-sentinel__HueBridge_Setup-A-2-STA.pcap#71':
    'a DHCP ACK quoted inside an ICMP host-unreachable error: tshark decodes the quote, we do not treat it as traffic',
  'dhcp.option.request_list_item@fuzz-bad-shb__gopacket__le_test901.pcapng#3':
    'tshark stops at the second section (SHB version 2.0, MANIFEST: readable before error); our reader goes on',
  'tls.handshake.ja3s@multi-lan-mixed__ndpi__teams.pcap#1034':
    'the server flight arrives out of order (segments 1027,1030,1028,1033,1034): tshark reorders TCP, we stop a direction at a gap',
  'tls.handshake.ja3s@multi-lan-mixed__ndpi__teams.pcap#1094': 'out-of-order server flight, as above',
};

function manifest(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const lines = readFileSync(join(PCAPS, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1);
  for (const l of lines) {
    const c = l.split('\t');
    if (c.length >= 10) m.set(c[0]!, c[9]!.split(','));
  }
  return m;
}

const runs = new Map<string, RunResult>();
function run(file: string): RunResult {
  let r = runs.get(file);
  if (r === undefined) runs.set(file, (r = runCapture(join(PCAPS, file))));
  return r;
}

for (const c of CASES) {
  test(`tshark agreement: ${c.field} (${c.protos.join('/')})`, (t) => {
    let man: Map<string, string[]>;
    try {
      man = manifest();
    } catch {
      return t.skip('corpus not present');
    }
    if (!tsharkAvailable()) return t.skip('tshark not installed');
    const files = [...man].filter(([, p]) => c.protos.some((x) => p.includes(x))).map(([f]) => f);
    let frames = 0;
    let agree = 0;
    let withTheirs = 0;
    let withBoth = 0;
    const bad: string[] = [];
    for (const file of files) {
      const ts = tsharkFields(join(PCAPS, file), [
        c.field,
        c.requires ?? 'frame.len',
        'tcp.segment',
        'tcp.reassembled_in',
        '_ws.col.Info',
        'frame.protocols',
      ]);
      const ours = new Map<number, Set<string>>();
      for (const o of run(file).obs) {
        const v = c.ours(o);
        if (v === null) continue;
        let s = ours.get(o.frame);
        if (s === undefined) ours.set(o.frame, (s = new Set()));
        s.add(norm(v));
      }
      if (c.segments) {
        const r = compareMessages(c, file, ts, ours, bad);
        frames += r.frames;
        agree += r.agree;
        continue;
      }
      const theirs = new Map<number, Set<string>>();
      for (const [n, [vals, extra]] of ts) {
        if (extra!.length === 0) continue;
        const v = (c.theirs ? c.theirs(vals!, extra!) : vals!).map(norm).filter((x) => x !== '');
        if (v.length) theirs.set(n, new Set(v));
      }
      const all = new Set([...theirs.keys(), ...(c.mode === 'equal' ? ours.keys() : [])]);
      for (const n of all) {
        const T = theirs.get(n) ?? new Set<string>();
        const O = ours.get(n) ?? new Set<string>();
        const ok =
          c.mode === 'equal'
            ? T.size === O.size && [...T].every((x) => O.has(x))
            : [...O].every((x) => T.has(x));
        if (c.mode === 'subset' && T.size > 0) {
          withTheirs++;
          if (O.size > 0) withBoth++;
        }
        const key = `${c.field}@${file}#${n}`;
        if (EXCEPTIONS[key] !== undefined) continue;
        if (!ok && O.size === 0 && run(file).repeatFrames.has(n)) {
          repeats++;
          continue;
        }
        if (!ok && O.size === 0 && quic(ts.get(n))) {
          notRecognised++;
          continue;
        }
        if (!ok && T.size === 0 && notTsharks(c, ts.get(n))) {
          notRecognised++;
          continue;
        }
        frames++;
        if (ok) agree++;
        else if (bad.length < 12)
          bad.push(`${key}: tshark ${JSON.stringify([...T])} ours ${JSON.stringify([...O])}`);
      }
      // Ours must never report a value tshark does not have anywhere in a subset-mode frame.
      if (c.mode === 'subset') {
        for (const [n, O] of ours) {
          const T = theirs.get(n);
          if (T === undefined && notTsharks(c, ts.get(n))) {
            notRecognised++;
            continue;
          }
          if (T === undefined && EXCEPTIONS[`${c.field}@${file}#${n}`] === undefined && bad.length < 12) {
            frames++;
            bad.push(`${c.field}@${file}#${n}: tshark [] ours ${JSON.stringify([...O])}`);
          }
        }
      }
    }
    const ratio = frames === 0 ? 1 : agree / frames;
    t.diagnostic(
      `${c.field}: ${agree}/${frames} frames agree (${(ratio * 100).toFixed(1)}%) over ${files.length} captures`,
    );
    if (c.mode === 'subset')
      t.diagnostic(
        `${c.field}: we report a value in ${withBoth} of the ${withTheirs} frames where tshark has one (queries, authority, known answers and other records are not ours to report)`,
      );
    if (c.segments)
      t.diagnostic(
        `${c.field}: ${incompleteForTshark} more header blocks whose message tshark never completed`,
      );
    if (notRecognised > 0)
      t.diagnostic(
        `${c.field}: ${notRecognised} more frames excused: tshark did not see the protocol there (non-standard port, found by our heuristic) or it was QUIC (out of scope)`,
      );
    if (repeats > 0)
      t.diagnostic(
        `${c.field}: ${repeats} more frames were verbatim repeats the pipeline skips (same source, same payload, within a minute)`,
      );
    incompleteForTshark = 0;
    notRecognised = 0;
    repeats = 0;
    assert.ok(frames > 0, 'no frames compared: the test would pass on empty output');
    assert.ok(
      ratio >= c.minAgreement,
      `agreement ${ratio.toFixed(3)} below ${c.minAgreement}:\n${bad.join('\n')}`,
    );
  });
}

/** Per-message comparison for HTTP (see Case.segments). */
let incompleteForTshark = 0;
let notRecognised = 0;
let repeats = 0;

/** QUIC carries its ClientHello inside packets protected with initial keys: not decoded by us (out of scope). */
function quic(row: string[][] | undefined): boolean {
  return row?.[5]?.join(':').split(':').includes('quic') ?? false;
}

/** True when tshark did not dissect the frame as the field's protocol at all (e.g. SSH on port 8000). */
function notTsharks(c: Case, row: string[][] | undefined): boolean {
  const proto = c.field.startsWith('x509') ? 'tls' : c.field.slice(0, c.field.indexOf('.'));
  const protos = row?.[5]?.join(':').split(':') ?? [];
  return row !== undefined && !protos.includes(proto);
}

function compareMessages(
  c: Case,
  file: string,
  ts: Map<number, string[][]>,
  ours: Map<number, Set<string>>,
  bad: string[],
): { frames: number; agree: number } {
  let frames = 0;
  let agree = 0;
  const covered = new Set<number>();
  for (const [n, [vals, extra, segs]] of ts) {
    if (extra!.length === 0) continue;
    const T = new Set(vals!.map(norm).filter((x) => x !== ''));
    if (T.size === 0) continue;
    const span = new Set<number>([n, ...segs!.flatMap((x) => x.split(',')).map(Number)]);
    const O = new Set<string>();
    for (const f of span) {
      covered.add(f);
      for (const v of ours.get(f) ?? []) O.add(v);
    }
    const key = `${c.field}@${file}#${n}`;
    if (EXCEPTIONS[key] !== undefined) continue;
    frames++;
    if (T.size === O.size && [...T].every((x) => O.has(x))) agree++;
    else if (bad.length < 12)
      bad.push(`${key}: tshark ${JSON.stringify([...T])} ours ${JSON.stringify([...O])}`);
  }
  for (const [n, O] of ours) {
    if (covered.has(n)) continue;
    const key = `${c.field}@${file}#${n}`;
    if (EXCEPTIONS[key] !== undefined) continue;
    // A header segment whose message never completes in the capture: tshark waits for the body and
    // never shows the fields; we report the complete header block. Counted apart, not as agreement.
    const row = ts.get(n);
    if (
      row !== undefined &&
      row[3]!.length === 0 &&
      row[4]!.some((x) => x.includes('[TCP segment of a reassembled PDU]'))
    ) {
      incompleteForTshark++;
      continue;
    }
    frames++;
    if (bad.length < 12) bad.push(`${key}: tshark [] ours ${JSON.stringify([...O])}`);
  }
  return { frames, agree };
}

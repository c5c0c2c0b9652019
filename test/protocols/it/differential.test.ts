import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsharkAvailable, tsharkFields } from '../../helpers/tshark';
import { IT_PROTOCOLS } from '../../../shared/protocols/it/index';
import { PCAPS, runCapture, type RunResult } from './corpus';
import { CASES as FIRST, EXCEPTIONS as FIRST_EXCEPTIONS, norm, type Case } from './differential-cases';
import { CASES as DHCP, EXCEPTIONS as DHCP_EXCEPTIONS } from './differential-cases-dhcp';
import { CASES as NAMES, EXCEPTIONS as NAMES_EXCEPTIONS } from './differential-cases-names';
import { CASES as L2, EXCEPTIONS as L2_EXCEPTIONS } from './differential-cases-l2';
import { CASES as APPS, EXCEPTIONS as APPS_EXCEPTIONS } from './differential-cases-apps';

/**
 * Differential test against tshark (Wireshark 4.0): for fields both decode, compare values frame by
 * frame on every corpus capture whose MANIFEST protocols include the protocol. Agreement per field is
 * printed; where we differ for a reason, the reason is listed in the EXCEPTIONS of the case tables.
 * tshark runs once per capture with every field any case needs (one process per capture, not per
 * field: the whole comparison stays within CI time).
 */
const CASES: Case[] = [...FIRST, ...DHCP, ...NAMES, ...L2, ...APPS];
const EXCEPTIONS: Record<string, string> = {
  ...FIRST_EXCEPTIONS,
  ...DHCP_EXCEPTIONS,
  ...NAMES_EXCEPTIONS,
  ...L2_EXCEPTIONS,
  ...APPS_EXCEPTIONS,
};

/** Disagreements printed per failing case (DIFF_BAD=n to see more while investigating). */
const MAX_BAD = Number(process.env['DIFF_BAD'] ?? 12);

/** Fields every comparison reads besides its own. */
const FIXED = [
  'tcp.segment',
  'tcp.reassembled_in',
  '_ws.col.Info',
  'frame.protocols',
  'udp.srcport',
  'udp.dstport',
  'tcp.srcport',
  'tcp.dstport',
];

/** MANIFEST (tshark) protocol names whose frames our dissector of another name reads. */
const OURS_BY_TSHARK: Record<string, string> = { browser: 'nbdgm' };

/** A case's exception key prefix: the field, and the label when one field has several cases. */
const caseId = (c: Case) => (c.label ? `${c.field}/${c.label}` : c.field);

function manifest(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const lines = readFileSync(join(PCAPS, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1);
  for (const l of lines) {
    const c = l.split('\t');
    if (c.length >= 10) m.set(c[0]!, c[9]!.split(','));
  }
  return m;
}

const selects = (c: Case, protos: string[]) => c.protos.some((x) => x === '*' || protos.includes(x));

const runs = new Map<string, RunResult>();
function run(file: string): RunResult {
  let r = runs.get(file);
  if (r === undefined) runs.set(file, (r = runCapture(join(PCAPS, file))));
  return r;
}

/** One capture's tshark output: per frame, the values of each requested field. */
interface Table {
  col: Map<string, number>;
  rows: Map<number, string[][]>;
}

const tables = new Map<string, Table>();

/**
 * tshark over one capture with every field that any case selecting it needs. Occurrences are joined
 * with U+001F, which no field value contains (a '|' or ',' may: header lines, banners).
 */
function table(file: string, protos: string[]): Table {
  let t = tables.get(file);
  if (t !== undefined) return t;
  const fields = new Set<string>(FIXED);
  for (const c of CASES) {
    if (!selects(c, protos)) continue;
    fields.add(c.field);
    if (c.requires) fields.add(c.requires);
    for (const f of c.also ?? []) fields.add(f);
  }
  const list = [...fields];
  const rows = tsharkFields(join(PCAPS, file), list, 'a', undefined, { aggregator: '\u001f' });
  t = { col: new Map(list.map((f, i) => [f, i])), rows };
  tables.set(file, t);
  return t;
}

/** Reads one field of one tshark row. */
type Row = (field: string) => string[];

function rowReader(t: Table, row: string[][] | undefined): Row {
  return (f) => {
    const i = t.col.get(f);
    if (i === undefined) throw new Error(`field ${f} was not requested: add it to the case's 'also'`);
    return row?.[i] ?? [];
  };
}

let incompleteForTshark = 0;
let notRecognised = 0;
let repeats = 0;
let offPort = 0;

/**
 * True when tshark found the protocol on ports none of our dissectors for it is registered on (its
 * heuristics, or a conversation it followed) and our pipeline did not recognise the frame as it: a
 * frame we never claimed to read, counted apart. A frame on a registered port is never excused.
 */
function offPortForUs(c: Case, file: string, n: number, row: Row): boolean {
  const names = c.protos.map((p) => OURS_BY_TSHARK[p] ?? p);
  const ports = new Set<number>();
  for (const p of IT_PROTOCOLS)
    if (names.includes(p.name)) for (const x of [...(p.udpPorts ?? []), ...(p.tcpPorts ?? [])]) ports.add(x);
  const seen = [...row('udp.srcport'), ...row('udp.dstport'), ...row('tcp.srcport'), ...row('tcp.dstport')];
  if (ports.size === 0 || seen.length === 0 || seen.some((x) => ports.has(Number(x)))) return false;
  const pf = run(file).protoFrames;
  return !names.some((x) => pf.get(x)?.has(n));
}

for (const c of CASES) {
  test(`tshark agreement: ${c.field}${c.label ? ` [${c.label}]` : ''} (${c.protos.join('/')})`, (t) => {
    let man: Map<string, string[]>;
    try {
      man = manifest();
    } catch {
      return t.skip('corpus not present');
    }
    if (!tsharkAvailable()) return t.skip('tshark not installed');
    const files = [...man].filter(([, p]) => selects(c, p)).map(([f]) => f);
    const id = caseId(c);
    let frames = 0;
    let agree = 0;
    let withTheirs = 0;
    let withBoth = 0;
    let excepted = 0;
    const bad: string[] = [];
    for (const file of files) {
      const tab = table(file, man.get(file)!);
      const get = (n: number) => rowReader(tab, tab.rows.get(n));
      const ours = new Map<number, Set<string>>();
      for (const o of run(file).obs) {
        const v = c.ours(o);
        if (v === null) continue;
        let s = ours.get(o.frame);
        if (s === undefined) ours.set(o.frame, (s = new Set()));
        for (const x of typeof v === 'string' ? [v] : v) s.add(norm(x));
      }
      if (c.segments) {
        const r = compareMessages(c, file, tab, ours, bad);
        frames += r.frames;
        agree += r.agree;
        excepted += r.excepted;
        continue;
      }
      const theirs = new Map<number, Set<string>>();
      for (const n of tab.rows.keys()) {
        const row = get(n);
        const vals = row(c.field);
        const extra = row(c.requires ?? 'frame.protocols');
        if (extra.length === 0) continue;
        const v = (c.theirs ? c.theirs(vals, extra, row) : vals).map(norm).filter((x) => x !== '');
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
        const key = `${id}@${file}#${n}`;
        if (EXCEPTIONS[key] !== undefined) {
          excepted++;
          continue;
        }
        if (!ok && O.size === 0 && run(file).repeatFrames.has(n)) {
          repeats++;
          continue;
        }
        if (!ok && O.size === 0 && offPortForUs(c, file, n, get(n))) {
          offPort++;
          continue;
        }
        if (!ok && O.size === 0 && quic(get(n))) {
          notRecognised++;
          continue;
        }
        if (!ok && T.size === 0 && notTsharks(c, tab.rows.has(n) ? get(n) : undefined)) {
          notRecognised++;
          continue;
        }
        frames++;
        if (ok) agree++;
        else if (bad.length < MAX_BAD)
          bad.push(`${key}: tshark ${JSON.stringify([...T])} ours ${JSON.stringify([...O])}`);
      }
      // Ours must never report a value tshark does not have anywhere in a subset-mode frame.
      if (c.mode === 'subset') {
        for (const [n, O] of ours) {
          const T = theirs.get(n);
          if (T === undefined && notTsharks(c, tab.rows.has(n) ? get(n) : undefined)) {
            notRecognised++;
            continue;
          }
          if (T !== undefined) continue;
          if (EXCEPTIONS[`${id}@${file}#${n}`] !== undefined) {
            excepted++;
            continue;
          }
          frames++;
          if (bad.length < MAX_BAD) bad.push(`${id}@${file}#${n}: tshark [] ours ${JSON.stringify([...O])}`);
        }
      }
    }
    const ratio = frames === 0 ? 1 : agree / frames;
    t.diagnostic(
      `${id}: ${agree}/${frames} frames agree (${(ratio * 100).toFixed(1)}%) over ${files.length} captures; ${excepted} listed exceptions`,
    );
    if (c.mode === 'subset')
      t.diagnostic(
        `${id}: we report a value in ${withBoth} of the ${withTheirs} frames where tshark has one (what we do not report is listed with the case)`,
      );
    if (c.segments)
      t.diagnostic(`${id}: ${incompleteForTshark} more header blocks whose message tshark never completed`);
    if (notRecognised > 0)
      t.diagnostic(
        `${id}: ${notRecognised} more frames excused: tshark did not see the protocol there (non-standard port, found by our heuristic) or it was QUIC (out of scope)`,
      );
    if (repeats > 0)
      t.diagnostic(
        `${id}: ${repeats} more frames were verbatim repeats the pipeline skips (same source, same payload, within a minute)`,
      );
    if (offPort > 0)
      t.diagnostic(
        `${id}: ${offPort} more frames excused: tshark found the protocol off its ports (heuristic or conversation) and our pipeline, by port, did not`,
      );
    offPort = 0;
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

/** QUIC carries its ClientHello inside packets protected with initial keys: not decoded by us (out of scope). */
function quic(row: Row): boolean {
  return row('frame.protocols').join(':').split(':').includes('quic');
}

/** True when tshark did not dissect the frame as the field's protocol at all (e.g. SSH on port 8000). */
function notTsharks(c: Case, row: Row | undefined): boolean {
  const proto = c.proto ?? (c.field.startsWith('x509') ? 'tls' : c.field.slice(0, c.field.indexOf('.')));
  return row !== undefined && !row('frame.protocols').join(':').split(':').includes(proto);
}

/** Per-message comparison for HTTP (see Case.segments). */
function compareMessages(
  c: Case,
  file: string,
  tab: Table,
  ours: Map<number, Set<string>>,
  bad: string[],
): { frames: number; agree: number; excepted: number } {
  const id = caseId(c);
  let frames = 0;
  let agree = 0;
  let excepted = 0;
  const covered = new Set<number>();
  for (const [n, r] of tab.rows) {
    const row = rowReader(tab, r);
    const extra = row(c.requires ?? 'frame.protocols');
    if (extra.length === 0) continue;
    const vals = row(c.field);
    const T = new Set((c.theirs ? c.theirs(vals, extra, row) : vals).map(norm).filter((x) => x !== ''));
    if (T.size === 0) continue;
    const span = new Set<number>([
      n,
      ...row('tcp.segment')
        .flatMap((x) => x.split(','))
        .map(Number),
    ]);
    const O = new Set<string>();
    for (const f of span) {
      covered.add(f);
      for (const v of ours.get(f) ?? []) O.add(v);
    }
    const key = `${id}@${file}#${n}`;
    if (EXCEPTIONS[key] !== undefined) {
      excepted++;
      continue;
    }
    frames++;
    if (T.size === O.size && [...T].every((x) => O.has(x))) agree++;
    else if (bad.length < MAX_BAD)
      bad.push(`${key}: tshark ${JSON.stringify([...T])} ours ${JSON.stringify([...O])}`);
  }
  for (const [n, O] of ours) {
    if (covered.has(n)) continue;
    const key = `${id}@${file}#${n}`;
    if (EXCEPTIONS[key] !== undefined) {
      excepted++;
      continue;
    }
    // A header segment whose message never completes in the capture: tshark waits for the body and
    // never shows the fields; we report the complete header block. Counted apart, not as agreement.
    const r = tab.rows.get(n);
    const row = rowReader(tab, r);
    if (
      r !== undefined &&
      row('tcp.reassembled_in').length === 0 &&
      row('_ws.col.Info').some((x) => x.includes('[TCP segment of a reassembled PDU]'))
    ) {
      incompleteForTshark++;
      continue;
    }
    frames++;
    if (bad.length < MAX_BAD) bad.push(`${key}: tshark [] ours ${JSON.stringify([...O])}`);
  }
  return { frames, agree, excepted };
}

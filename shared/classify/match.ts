import {
  byKey,
  byProtocol,
  foldName,
  type AttributeName,
  type Captures,
  type Cond,
  type CompiledRule,
  type LookupRow,
  type LookupTable,
  type Outcome,
} from './compile';
import type { DeviceFacts, FactIn } from './facts';
import { DISTANCE_KEY } from './syn-matcher';

/** What one piece of evidence was: an observation's fact, or a device-level input (OUI, ports, peers). */
export interface EvidenceRef {
  kind: string;
  protocol: string;
  field: string;
  value: string;
  frame: number | null;
  ts: number | null;
  /** The fingerprint fact itself, so unmatched fingerprints can be found. */
  fact?: FactIn;
}

export interface RuleMatch {
  captures: Captures;
  evidence: EvidenceRef[];
  /** What it yields: the rule, or the row of its lookup table the captures name. */
  outcome: Outcome;
}

/** Facts grouped by kind, built once per device so each leaf looks only at its own kind. */
export type FactsByKind = Map<string, FactIn[]>;

/**
 * A device's facts by kind, by kind and protocol (`kind\0protocol`) and by kind and key
 * (`kind\u0001key`), both folded (foldName): a test naming one key or one protocol reads only those
 * facts, in the same order (on the bench capture, three in five facts tried failed the key test).
 */
export function byKind(d: DeviceFacts): FactsByKind {
  const m: FactsByKind = new Map();
  for (let i = 0; i < d.facts.length; i++) addFact(m, d.facts[i]!);
  return m;
}

/** `f` added to the lists byKind keeps. */
export function addFact(m: FactsByKind, f: FactIn): void {
  add(m, f.kind, f);
  add(m, byProtocol(f.kind, foldName(f.protocol)), f);
  add(m, byKey(f.kind, foldName(f.key)), f);
}

/** The lists `f` is in taken out (after addFact of `f` alone: they hold nothing else). */
export function dropFact(m: FactsByKind, f: FactIn): void {
  m.delete(f.kind);
  m.delete(byProtocol(f.kind, foldName(f.protocol)));
  m.delete(byKey(f.kind, foldName(f.key)));
}

function add(m: FactsByKind, k: string, f: FactIn): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [f]);
  else l.push(f);
}

/** Every list of `kind`'s facts taken out of `facts`, to be put back by putBack. */
export function setAside(facts: FactsByKind, kind: string): [string, FactIn[]][] {
  const out: [string, FactIn[]][] = [];
  // By key, not by entry: an entry is an array of its own in code V8 has not optimised.
  for (const k of facts.keys()) {
    const l = facts.get(k)!;
    if (l[0]!.kind === kind) out.push([k, l]);
  }
  for (let i = 0; i < out.length; i++) facts.delete(out[i]![0]);
  return out;
}

export function putBack(facts: FactsByKind, saved: readonly [string, FactIn[]][]): void {
  for (let i = 0; i < saved.length; i++) facts.set(saved[i]![0], saved[i]![1]);
}

/** A match of a rule with a lookup table fires only when its key names a row. */
export function matchRule(r: CompiledRule, d: DeviceFacts, facts: FactsByKind): RuleMatch | null {
  const ev: EvidenceRef[] = [];
  const c = evalCond(r.cond, d, facts, ev);
  const o = c === null ? null : outcomeOf(r, c);
  return o === null ? null : { captures: c!, evidence: ev, outcome: o };
}

/** The rule itself, or the row of its lookup table that the filled key names (null: no such row). */
export function outcomeOf(r: CompiledRule, caps: Captures): Outcome | null {
  if (r.table === null) return r;
  const k = fill(r.table.key, caps);
  return k === null ? null : (r.table.byKey.get(k.toLowerCase()) ?? null);
}

const NO_FACTS: readonly FactIn[] = Object.freeze([]);

/**
 * The facts a fact test reads, in the device's order: those of the one key (or else protocol) of
 * its names that the device has, none when it has none, else all of the kind. Lists of several names
 * are not merged: a device rarely has facts under two names of one test.
 */
function factsFor(c: FactCond, facts: FactsByKind): readonly FactIn[] {
  const ofKey = c.keyLists === undefined ? null : onlyList(c.keyLists, facts);
  if (ofKey !== null) return ofKey;
  const ofProtocol = c.protocolLists === undefined ? null : onlyList(c.protocolLists, facts);
  return ofProtocol ?? facts.get(c.kind) ?? NO_FACTS;
}

/** The one of these lists the device has; none when it has none; null when it has several. */
function onlyList(names: readonly string[], facts: FactsByKind): readonly FactIn[] | null {
  let one: readonly FactIn[] = NO_FACTS;
  for (let i = 0; i < names.length; i++) {
    const l = facts.get(names[i]!);
    if (l === undefined) continue;
    if (one !== NO_FACTS) return null;
    one = l;
  }
  return one;
}

/** Where matchAll's fact tests push their evidence, taken back at once (empty between calls). */
const tried: EvidenceRef[] = [];

/** Matches of one rule per device, at most: a device stating many products is still bounded. */
const MAX_MATCHES = 16;

/**
 * Every match of a rule: a rule that is a single fact test matches each fact it accepts (a chassis
 * answering for three modules states three products); any other rule matches at most once.
 */
export function matchAll(r: CompiledRule, d: DeviceFacts, facts: FactsByKind): RuleMatch[] {
  const c = r.cond;
  if (c.t === 'serves' && c.ports === null && r.table !== null) return servedRows(r.table, d);
  if (c.t !== 'fact') {
    const m = matchRule(r, d, facts);
    return m === null ? [] : [m];
  }
  const all = factsFor(c, facts);
  const out: RuleMatch[] = [];
  for (let i = 0; i < all.length && out.length < MAX_MATCHES; i++) {
    // factMatch pushes its one piece of evidence only when the fact matches: an array per match,
    // not one per fact tried (a device's facts meet a hundred tests or more, most of them failing).
    const caps = factMatch(c, all[i]!, tried, facts);
    if (caps === null) continue;
    const ev = [tried.pop()!];
    const o = outcomeOf(r, caps);
    if (o !== null) out.push({ captures: caps, evidence: ev, outcome: o });
  }
  // Rows fire in table order, as the separate rules a table replaces did (stable: facts in order).
  if (r.table !== null && out.length > 1)
    out.sort((a, b) => (a.outcome as LookupRow).index - (b.outcome as LookupRow).index);
  return out;
}

/**
 * A table over the ports a device serves: each row matches once, on the first of its keys (in the
 * order written) the device serves, as a rule `serves: [its ports]` of its own would.
 */
function servedRows(t: LookupTable, d: DeviceFacts): RuleMatch[] {
  const out: RuleMatch[] = [];
  if (d.served.length === 0) return out;
  for (const row of t.rows) {
    const p = row.keys.find((k) => d.served.includes(Number(k)));
    if (p === undefined) continue;
    const ev: EvidenceRef = {
      kind: 'behaviour',
      protocol: 'tcp',
      field: 'serves',
      value: p,
      frame: null,
      ts: null,
    };
    out.push({ captures: { value: p }, evidence: [ev], outcome: row });
  }
  return out;
}

type FactCond = Extract<Cond, { t: 'fact' }>;

/** Most distances read per signature: a device heard at many TTLs is still bounded. */
const MAX_DISTANCES = 16;

/** The distances the SYN observer stated for signatures of `field` (`syn`, `syn-ack`). */
function distancesOf(facts: FactsByKind, field: string): number[] {
  const out: number[] = [];
  for (const f of facts.get('attribute\0tcp') ?? []) {
    if (f.key !== DISTANCE_KEY || f.field !== field) continue;
    const d = Number(f.value);
    if (Number.isInteger(d) && d >= 0 && d <= 255) out.push(d);
    if (out.length >= MAX_DISTANCES) break;
  }
  return out;
}

/** One fact against a fact test: its captures (and its evidence pushed), or null. */
function factMatch(c: FactCond, f: FactIn, ev: EvidenceRef[], facts: FactsByKind): Captures | null {
  if (c.protocol !== undefined && c.protocol(f.protocol) === null) return null;
  if (c.field !== undefined && c.field(f.field) === null) return null;
  // Null until a test captures: most facts tried fail a test, and need no object of their own.
  let caps: Captures | null = null;
  if (c.key !== undefined) {
    const k = c.key(f.key);
    if (k === null) return null;
    caps = k;
  }
  if (c.value !== undefined) {
    const v = c.value(f.value);
    if (v === null) return null;
    caps = caps === null ? v : { ...caps, ...v };
  }
  if (c.syn !== undefined) {
    const v = c.syn(f.value, distancesOf(facts, f.field));
    if (v === null) return null;
    caps = caps === null ? v : { ...caps, ...v };
  }
  const e: EvidenceRef = {
    kind: f.kind,
    protocol: f.protocol,
    field: f.key === '' || f.key === f.value ? f.field : `${f.field} ${f.key}`,
    value: f.value,
    frame: f.frame,
    ts: f.ts,
  };
  if (f.kind === 'fingerprint') e.fact = f;
  ev.push(e);
  return { value: f.value, ...caps };
}

function evalCond(c: Cond, d: DeviceFacts, facts: FactsByKind, ev: EvidenceRef[]): Captures | null {
  switch (c.t) {
    case 'all': {
      let out: Captures = {};
      for (const x of c.c) {
        const r = evalCond(x, d, facts, ev);
        if (r === null) return null;
        out = { ...r, ...out };
      }
      return out;
    }
    case 'any': {
      for (const x of c.c) {
        const r = evalCond(x, d, facts, ev);
        if (r !== null) return r;
      }
      return null;
    }
    case 'not':
      return evalCond(c.c, d, facts, []) === null ? {} : null;
    case 'fact': {
      const all = factsFor(c, facts);
      for (let i = 0; i < all.length; i++) {
        const caps = factMatch(c, all[i]!, ev, facts);
        if (caps !== null) return caps;
      }
      return null;
    }
    case 'oui': {
      if (d.oui === null) return null;
      const m = c.m(d.oui);
      if (m === null) return null;
      ev.push({ kind: 'oui', protocol: 'ieee', field: 'oui', value: d.oui, frame: null, ts: null });
      return { value: d.oui, ...m };
    }
    case 'mac': {
      if (d.mac === null) return null;
      const m = c.m(d.mac);
      if (m === null) return null;
      ev.push({ kind: 'mac', protocol: 'ethernet', field: 'src', value: d.mac, frame: null, ts: null });
      return { value: d.mac, ...m };
    }
    case 'serves': {
      for (const p of c.ports ?? d.served.slice(0, 1)) {
        if (d.served.includes(p)) {
          ev.push({
            kind: 'behaviour',
            protocol: 'tcp',
            field: 'serves',
            value: String(p),
            frame: null,
            ts: null,
          });
          return { value: String(p) };
        }
      }
      return null;
    }
    case 'protocol': {
      for (const p of d.protocols) {
        const m = c.m(p);
        if (m !== null) {
          ev.push({ kind: 'behaviour', protocol: p, field: 'speaks', value: p, frame: null, ts: null });
          return { value: p, ...m };
        }
      }
      return null;
    }
    case 'role': {
      for (const r of d.roles) {
        const m = c.m(r);
        if (m !== null) {
          // The observation behind the role, when there is one: it has the frame and time.
          const f = (facts.get('role') ?? []).find((x) => x.key === r);
          ev.push({
            kind: 'role',
            protocol: f?.protocol ?? 'classify',
            field: f?.field ?? 'role',
            value: r,
            frame: f?.frame ?? null,
            ts: f?.ts ?? null,
          });
          return { value: r, ...m };
        }
      }
      return null;
    }
    case 'peers': {
      const n = d.peers[c.protocol] ?? 0;
      if (n < c.min) return null;
      ev.push({
        kind: 'behaviour',
        protocol: c.protocol,
        field: 'peers',
        value: String(n),
        frame: null,
        ts: null,
      });
      return { value: String(n) };
    }
    case 'forwards':
      if (d.forwards < c.min) return null;
      // No count in the text: one analysis and a merge of workers bound the addresses differently.
      ev.push({
        kind: 'behaviour',
        protocol: 'ip',
        field: 'forwards',
        value: 'frames to it are for many IP addresses not its own',
        frame: null,
        ts: null,
      });
      return {};
    case 'router':
      if (d.router !== c.v) return null;
      if (c.v)
        ev.push({
          kind: 'behaviour',
          protocol: 'ip',
          field: 'router',
          value: 'sources many IP addresses',
          frame: null,
          ts: null,
        });
      return {};
  }
}

/** A capture named in a template (`${name}`, `$1`); made once (a literal in fill made one a call). */
const REFS = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([1-9])/g;
const SPACES = /\s+/g;

/** Fill `${name}`, `$1` templates from captures; null when a referenced capture is missing or empty. */
export function fill(template: string, caps: Captures): string | null {
  let missing = false;
  // Most templates name no capture ("printer"): no replace with a function, which V8 runs slowly.
  const out = !template.includes('$')
    ? template
    : template.replace(REFS, (_, name?: string, num?: string) => {
        const v = caps[name ?? num ?? ''];
        if (v === undefined) {
          missing = true;
          return '';
        }
        return v;
      });
  if (missing) return null;
  const t = out.replace(SPACES, ' ').trim();
  return t === '' ? null : t.length > 160 ? t.slice(0, 160) : t;
}

/** What a rule (or row) yields for one attribute: its template filled, then looked up where it names a table. */
export function yieldOf(r: Outcome, a: AttributeName, caps: Captures): string | null {
  const t = r.yields[a];
  if (t === undefined) return null;
  const v = fill(t, caps);
  const lookup = r.lookups[a];
  return v === null || lookup === undefined ? v : lookup(v);
}

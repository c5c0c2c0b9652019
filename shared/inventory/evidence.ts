import type { IdentityAttribute, Observation } from '../model/observation';
import type { EvidenceJson } from '../model/inventory';
import { eventText } from '../alerts/policy';
import { isoTime } from '../util/time';

/** Distinct facts kept per device: enough for any real device, bounded against floods. */
const MAX_FACTS = 512;

export interface Fact {
  kind: string;
  protocol: string;
  field: string;
  value: string;
  /** See subOf: with kind, protocol, field and the value's last part, what tells facts apart. */
  sub: string;
  /** rawOf(obs), kept: add() compares it with a restatement's without hashing either. */
  raw: string;
  /** Its key in Evidence.facts. */
  no: number;
  firstFrame: number;
  first: number;
  last: number;
  count: number;
  /** The observation as first heard (for rules and the UI's "why"). */
  obs: Observation;
}

function same(f: Fact, o: Observation, sub: string): boolean {
  return f.kind === o.kind && f.protocol === o.protocol && f.field === o.field && f.sub === sub;
}

/** The fact among `facts` that `o` states again: a loop, not find(), which makes a closure per call. */
function sameIn(facts: readonly Fact[], o: Observation, sub: string): Fact | undefined {
  for (let i = 0; i < facts.length; i++) if (same(facts[i]!, o, sub)) return facts[i];
  return undefined;
}

/** The value an observation states, as one display string. */
export function observationValue(o: Observation): string {
  switch (o.kind) {
    case 'hostname':
    case 'name-query':
      return o.name;
    case 'address':
      return o.name === null ? o.ip : `${o.name} = ${o.ip}`;
    case 'identity':
      return `${o.attr}=${o.value}`;
    case 'software':
      return o.raw;
    case 'fingerprint':
      return `${o.scheme}:${o.value}`;
    case 'role':
      return o.role;
    case 'service':
      return `${o.name} ${o.transport}/${o.port}`;
    case 'attribute':
      return `${o.key}=${o.value}`;
    case 'neighbor':
      return `${o.chassisId}${o.portId === null ? '' : ' port ' + o.portId}`;
    case 'event':
      return `${o.event}: ${eventText(o)}`;
    case 'finding':
      return `${o.finding}: ${o.detail}`;
  }
}

export interface EvidenceSummary {
  hostname: string | null;
  hostnames: { name: string; source: string }[];
  identity(attr: IdentityAttribute): string | null;
  roles: string[];
}

/**
 * The part of an observation's value that says which fact it is beside its kind, protocol and field
 * (an identity's attribute, an attribute's key, a fingerprint's scheme), and the rest of it. Together
 * they name the fact without building its display string: most observations repeat a known fact.
 */
export function subOf(o: Observation): string {
  switch (o.kind) {
    case 'identity':
      return o.attr;
    case 'attribute':
      return o.key;
    case 'fingerprint':
      return o.scheme;
    case 'address':
      return o.ip;
    default:
      return '';
  }
}

/**
 * An observation's own value, without its kind's prefix (a host name, an attribute's value, a
 * software banner as sent): how facts are found again, and what the identity section shows.
 */
export function rawOf(o: Observation): string {
  switch (o.kind) {
    case 'hostname':
    case 'name-query':
      return o.name;
    case 'address':
      // A binding without a name is another fact than one with an empty name.
      return o.name === null ? '\u0000' : o.name;
    case 'identity':
    case 'attribute':
    case 'fingerprint':
      return o.value;
    case 'software':
      return o.raw;
    case 'role':
      return o.role;
    default:
      return observationValue(o);
  }
}

/** What tells facts apart (partials key them by it): as Evidence dedupes them (kind, protocol, field, sub-key, raw value). */
const factKeys = new WeakMap<Observation, string>();

export function factKey(o: Observation): string {
  let k = factKeys.get(o);
  if (k === undefined) factKeys.set(o, (k = keyOf(o)));
  return k;
}

/**
 * factKey, not kept: for the observations a console's merge holds, which live as long as it runs
 * (a kept key, with its entry in the cache, costs about 85 bytes a fact held).
 */
export function factKeyOnce(o: Observation): string {
  return factKeys.get(o) ?? keyOf(o);
}

function keyOf(o: Observation): string {
  // Joined, not concatenated: one flat string (a concatenation is a tree of seven strings until
  // something flattens it).
  return [o.kind, o.protocol, o.field, subOf(o), rawOf(o)].join('\u0000');
}

/**
 * `protocol.field`, one string per pair: every host name of every device names one, and the pairs
 * are our dissectors' own (a few dozen). Partials from sensors may name others: past the cap, made
 * each time.
 */
const sources = new Map<string, string>();
const MAX_SOURCES = 1024;
function sourceOf(protocol: string, field: string): string {
  const k = protocol + '\u0000' + field;
  let s = sources.get(k);
  if (s === undefined) {
    s = [protocol, field].join('.');
    if (sources.size < MAX_SOURCES) sources.set(k, s);
  }
  return s;
}

/**
 * A device's observations, deduplicated by (kind, protocol, field, value) with counts and first/last
 * times. Classification reads `facts`; the device's JSON takes its names, identity and roles from
 * summary().
 */
export class Evidence {
  /** In the order first heard. */
  readonly facts = new Map<number, Fact>();
  dropped = 0;
  /** The same facts by the last part of their value (rawOf), for finding the one an observation repeats. */
  private readonly byRaw = new Map<string, Fact | Fact[]>();
  /**
   * The number of the fact add() last found or made. A device restates its facts in the order it
   * first stated them (an identity reply's attributes, a header block's), so that fact and the one
   * after it are tried first: 7 of 10 restatements on the corpus, found by comparing values rather
   * than by the lookup, which hashes the value (a string new from the wire, often a concatenation to
   * flatten first), and was most of add()'s time.
   */
  private cursor = -1;

  /**
   * `count` times heard, the first at `first` and the last at `last` (hearsay held while no device
   * had its address; facts moving to a routed address's device).
   */
  add(o: Observation, count = 1, last = o.ts, first = o.ts): Fact | null {
    const raw = rawOf(o);
    const sub = subOf(o);
    // At most one fact has these five parts, so whichever way it is found it is the same fact.
    let f = this.near(o, sub, raw);
    let have: Fact | Fact[] | undefined;
    if (f === undefined) {
      have = this.byRaw.get(raw);
      if (have !== undefined)
        f = Array.isArray(have) ? sameIn(have, o, sub) : same(have, o, sub) ? have : undefined;
    }
    if (f !== undefined) {
      this.cursor = f.no;
      f.count += count;
      if (last > f.last) f.last = last;
      if (first < f.first) f.first = first;
      return f;
    }
    if (this.facts.size >= MAX_FACTS) {
      this.dropped++;
      return null;
    }
    const n: Fact = {
      kind: o.kind,
      protocol: o.protocol,
      field: o.field,
      value: observationValue(o),
      sub,
      raw,
      no: this.facts.size,
      firstFrame: o.frame,
      first,
      last,
      count,
      obs: o,
    };
    this.cursor = this.facts.size;
    this.facts.set(this.facts.size, n);
    if (have === undefined) this.byRaw.set(raw, n);
    else if (Array.isArray(have)) have.push(n);
    else this.byRaw.set(raw, [have, n]);
    return n;
  }

  /** The fact `o` restates if it is the one add() last found or made, or the next one. */
  private near(o: Observation, sub: string, raw: string): Fact | undefined {
    const c = this.cursor;
    if (c < 0) return undefined;
    const f = this.facts.get(c);
    if (f !== undefined && same(f, o, sub) && f.raw === raw) return f;
    const g = this.facts.get(c + 1);
    return g !== undefined && same(g, o, sub) && g.raw === raw ? g : undefined;
  }

  /** Forget every fact (a new router keeps only what stays its own; see Inventory.moveShares). */
  reset(): void {
    this.facts.clear();
    this.byRaw.clear();
    this.cursor = -1;
  }

  /** A fact rebuilt from partial inventories, kept as given (after those already held). */
  restore(f: Omit<Fact, 'kind' | 'protocol' | 'field' | 'value' | 'sub' | 'raw' | 'no'>): void {
    const o = f.obs;
    const raw = rawOf(o);
    // Spelt out in add()'s order: one shape for every fact (a spread made a slow copy of each).
    const fact: Fact = {
      kind: o.kind,
      protocol: o.protocol,
      field: o.field,
      value: observationValue(o),
      sub: subOf(o),
      raw,
      no: this.facts.size,
      firstFrame: f.firstFrame,
      first: f.first,
      last: f.last,
      count: f.count,
      obs: o,
    };
    this.facts.set(this.facts.size, fact);
    const have = this.byRaw.get(raw);
    if (have === undefined) this.byRaw.set(raw, fact);
    else if (Array.isArray(have)) have.push(fact);
    else this.byRaw.set(raw, [have, fact]);
  }

  /**
   * What deviceJson reads, in one pass over the facts (it used to take one pass per attribute): the
   * most-heard host name, every host name with its source, the most-heard value of each identity
   * attribute (ties: the first heard), and the roles, sorted.
   */
  summary(): EvidenceSummary {
    let best: Fact | null = null;
    const hostnames: { name: string; source: string }[] = [];
    const ids = new Map<IdentityAttribute, Fact>();
    const roles = new Set<string>();
    for (const f of this.facts.values()) {
      const o = f.obs;
      if (f.kind === 'hostname') {
        if (best === null || f.count > best.count) best = f;
        hostnames.push({ name: f.value, source: sourceOf(f.protocol, f.field) });
      } else if (o.kind === 'identity') {
        const b = ids.get(o.attr);
        if (b === undefined || f.count > b.count) ids.set(o.attr, f);
      } else if (o.kind === 'role') roles.add(o.role);
    }
    const identity = (attr: IdentityAttribute): string | null => {
      const f = ids.get(attr);
      return f !== undefined && f.obs.kind === 'identity' ? f.obs.value : null;
    };
    return { hostname: best === null ? null : best.value, hostnames, identity, roles: [...roles].sort() };
  }

  list(): EvidenceJson[] {
    return [...this.facts.values()].map((f) => ({
      kind: f.kind,
      protocol: f.protocol,
      field: f.field,
      value: f.value,
      firstFrame: f.firstFrame,
      firstSeen: isoTime(f.first),
      lastSeen: isoTime(f.last),
      count: f.count,
    }));
  }
}

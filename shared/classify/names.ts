import type { ObservationKind } from '../model/observation';
import type { Vocabulary } from '../protocols/contract';
import { covers } from '../protocols/vocabulary';
import type { CompiledRule } from './compile';
import type { CondSpec, FactCondSpec, MatcherSpec } from './schema';

/**
 * Rules name protocols, fields and keys that dissectors emit; a misspelt name never matches and fails
 * silently. This holds every name a rule (and its test cases) uses to the dissectors' declarations.
 */
export interface KnownNames {
  /** The protocol names observations carry, each with what it can say. */
  facts: ReadonlyMap<string, Vocabulary>;
  /** The names a device's protocol list can hold (dissectors, their parts as listed, layers). */
  deviceProtocols: readonly string[];
}

/** Kinds whose key a rule could name from a fixed set (the others' keys are wire text or addresses). */
const KEYED: ReadonlySet<ObservationKind> = new Set<ObservationKind>([
  'identity',
  'attribute',
  'role',
  'fingerprint',
  'service',
  'event',
  'finding',
]);

/** Problems with the names one rule uses, each naming the rule and the unknown name. */
export function checkRuleNames(r: CompiledRule, known: KnownNames): string[] {
  const out: string[] = [];
  const say: Say = (where, what, name, candidates, of = '') => {
    const near = closest(name, candidates);
    out.push(
      `${r.id}:${where} unknown ${what} '${name}'${of}` + (near === null ? '' : ` (did you mean '${near}'?)`),
    );
  };
  walk(r.spec.match, '', known, say);
  // Cases that fire it describe devices the dissectors can report; cases that must not fire it may
  // describe anything.
  const cases = (r.spec.tests?.fire ?? []).map((c, i) => [c, ` fire case ${i + 1}:`] as const);
  for (const [c, where] of cases) {
    for (const k of Object.keys(c.facts ?? {})) {
      const [kind = '', protocol = '', field = '', ...rest] = k.split('/');
      const f: FactCondSpec = { kind: kind as FactCondSpec['kind'] };
      if (protocol !== '') f.protocol = protocol;
      if (field !== '') f.field = field;
      if (rest.length > 0 && rest.join('/') !== '') f.key = rest.join('/');
      fact(f, where, known, say);
    }
    for (const p of c.protocols ?? []) names({ equals: p }, known.deviceProtocols, where, 'protocol', say);
  }
  return out;
}

type Say = (where: string, what: string, name: string, candidates: readonly string[], of?: string) => void;

function walk(c: CondSpec, where: string, known: KnownNames, say: Say): void {
  if ('all' in c) for (const x of c.all) walk(x, where, known, say);
  else if ('any' in c) for (const x of c.any) walk(x, where, known, say);
  else if ('not' in c) walk(c.not, where, known, say);
  else if ('fact' in c) fact(c.fact, where, known, say);
  else if ('syn' in c)
    fact({ kind: 'fingerprint', key: c.syn.synack === true ? 'tcp-synack' : 'tcp-syn' }, where, known, say);
  else if ('protocol' in c) names(c.protocol, known.deviceProtocols, where, 'protocol', say);
  else if ('peers' in c) names({ equals: c.peers.protocol }, known.deviceProtocols, where, 'protocol', say);
}

function fact(f: FactCondSpec, where: string, known: KnownNames, say: Say): void {
  let vocabularies = [...known.facts.values()];
  if (f.protocol !== undefined) {
    const hit = names(f.protocol, [...known.facts.keys()], where, 'protocol', say);
    if (hit === null) return;
    vocabularies = hit.map((p) => known.facts.get(p)!);
  }
  const of = typeof f.protocol === 'string' ? ` of protocol '${f.protocol}'` : '';
  if (f.field !== undefined)
    names(f.field, [...new Set(vocabularies.flatMap((v) => v.fields))], where, 'field', say, of);
  if (f.key !== undefined && KEYED.has(f.kind))
    names(
      f.key,
      [...new Set(vocabularies.flatMap((v) => v.keys?.[f.kind] ?? []))],
      where,
      `${f.kind} key`,
      say,
      of,
    );
}

/**
 * The candidates a matcher can match, or null (after saying so) when it names one that is not there.
 * Literal names (a bare string, `equals`, `in`) must each be known; a pattern (prefix, regex, ...)
 * must match at least one known name, unless a declared name is itself a pattern (`txt.*`).
 */
function names(
  m: MatcherSpec,
  candidates: readonly string[],
  where: string,
  what: string,
  say: Say,
  of = '',
): string[] | null {
  const spec = typeof m === 'string' ? { equals: m } : m;
  const norm = (s: string) => (spec.case === true ? s : s.toLowerCase());
  const literal = [...(spec.equals !== undefined ? [spec.equals] : []), ...(spec.in ?? [])];
  const hit = new Set<string>();
  let unknown = false;
  for (const name of literal) {
    const found = candidates.filter((c) => covers(norm(c), norm(name)));
    if (found.length === 0) {
      say(where, what, name, candidates, of);
      unknown = true;
    }
    for (const c of found) hit.add(c);
  }
  const pattern = [spec.prefix, spec.suffix, spec.contains, spec.regex].some((x) => x !== undefined);
  if (pattern && literal.length === 0) {
    let re: RegExp | null = null;
    try {
      if (spec.regex !== undefined) re = new RegExp(spec.regex, spec.case === true ? 'u' : 'iu');
    } catch {
      return null; // the rule compiler reports bad regexes
    }
    const test = (c: string) =>
      (spec.prefix === undefined || norm(c).startsWith(norm(spec.prefix))) &&
      (spec.suffix === undefined || norm(c).endsWith(norm(spec.suffix))) &&
      (spec.contains === undefined || norm(c).includes(norm(spec.contains))) &&
      (re === null || re.test(c));
    for (const c of candidates) if (c.includes('*') || test(c)) hit.add(c);
    if (hit.size === 0) {
      say(where, what + ' pattern', describe(spec), candidates, of);
      return null;
    }
  }
  return unknown ? null : [...hit];
}

function describe(spec: Exclude<MatcherSpec, string>): string {
  if (spec.regex !== undefined) return `/${spec.regex}/`;
  return spec.prefix ?? spec.suffix ?? spec.contains ?? '';
}

/** The known name nearest to `name` by edit distance, when it is near enough to be a slip. */
export function closest(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  const n = name.toLowerCase();
  for (const c of candidates) {
    if (c.includes('*')) continue;
    const d = distance(n, c.toLowerCase(), bestD);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** Levenshtein distance, given up past `limit` (rule files are small; names are short). */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

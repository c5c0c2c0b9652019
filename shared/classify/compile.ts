import { ruleSchemas, type RuleFileSpec, type CondSpec, type MatcherSpec, type RuleSpec } from './schema';
import { compileTable, type LookupTable } from './lookup-table';
import { compileYield, type Outcome, type Yields } from './outcome';
import { synTest, type SynTest } from './syn-matcher';

export { ATTRIBUTES, type AttributeName, type Outcome } from './outcome';
export type { LookupRow, LookupTable } from './lookup-table';

/** Captured values: `value` (the matched text), numbered groups '1'..'9', named groups. */
export type Captures = Record<string, string>;
/** A compiled string test: the captures when it matches, else null. */
export type Matcher = (s: string) => Captures | null;

export type Cond =
  | { t: 'all'; c: Cond[] }
  | { t: 'any'; c: Cond[] }
  | { t: 'not'; c: Cond }
  | {
      t: 'fact';
      kind: string;
      protocol?: Matcher;
      /**
       * When the key test passes only some names, byKind's lists of this kind's facts with those keys
       * (folded, see foldName): no other fact can pass.
       */
      keyLists?: string[];
      /** The same for the protocol test: byKind's lists of this kind's facts from those protocols. */
      protocolLists?: string[];
      field?: Matcher;
      key?: Matcher;
      value?: Matcher;
      /** A SYN signature's test, which reads the distances its observer stated beside it. */
      syn?: SynTest;
    }
  | { t: 'oui'; m: Matcher }
  | { t: 'mac'; m: Matcher }
  /** null: any port (a lookup table over served ports reads its rows' keys). */
  | { t: 'serves'; ports: number[] | null }
  | { t: 'protocol'; m: Matcher }
  | { t: 'role'; m: Matcher; names?: string[] }
  | { t: 'peers'; protocol: string; min: number }
  | { t: 'router'; v: boolean }
  | { t: 'forwards'; min: number };

export interface CompiledRule extends Outcome {
  family: string;
  /** The file it was read from, for messages about it. */
  file?: string;
  description: string;
  source: string;
  cond: Cond;
  /** One rule, many rows: the match's key picks the row that yields (null: the rule yields itself). */
  table: LookupTable | null;
  /**
   * A cheap precondition: the device must have a fact of one of these kinds (`kind`,
   * `kind\0protocol` or `kind\u0001key`, as byKind keys them), or (for 'oui', 'mac',
   * 'served', 'role', 'peers') that input; null when the rule has none. Lets classify skip most rules.
   */
  needs: string[] | null;
  /** It reads fingerprints and yields an attribute (not only a role): it can make a fingerprint known. */
  knowsFingerprints: boolean;
  /** The rule as written (tests, for the rule checker). */
  spec: RuleSpec;
}

/**
 * Validate rule documents (parsed YAML) and compile them. Errors name the file's family and the rule
 * id. `valid` holds each document as the schema returned it, for a host to cache and hand back as
 * `prevalidated` (validation is most of the cost of starting an analysis).
 */
export function compileRules(
  docs: unknown[],
  names?: string[],
  o: { prevalidated?: boolean } = {},
): { rules: CompiledRule[]; errors: string[]; valid: unknown[] } {
  const rules: CompiledRule[] = [];
  const errors: string[] = [];
  const valid: unknown[] = [];
  const ids = new Map<string, string>();
  docs.forEach((doc, i) => {
    const where = names?.[i] ?? `document ${i + 1}`;
    const r =
      o.prevalidated === true
        ? { success: true as const, data: doc as RuleFileSpec }
        : ruleSchemas().ruleFileSchema.safeParse(doc);
    if (!r.success) {
      for (const is of r.error.issues.slice(0, 20)) {
        const path = is.path;
        let rule = '';
        if (path[0] === 'rules' && typeof path[1] === 'number' && isObj(doc)) {
          const rs = (doc as { rules?: unknown }).rules;
          const spec = Array.isArray(rs) ? rs[path[1]] : undefined;
          rule = isObj(spec) && typeof spec.id === 'string' ? ` rule ${spec.id}` : ` rule #${path[1]}`;
        }
        errors.push(`${where}:${rule} ${path.join('.')}: ${is.message}`);
      }
      return;
    }
    valid.push(r.data);
    for (const spec of r.data.rules) {
      const prev = ids.get(spec.id);
      if (prev !== undefined) {
        errors.push(`${where}: rule ${spec.id}: duplicate id (also in ${prev})`);
        continue;
      }
      ids.set(spec.id, where);
      const errs: string[] = [];
      const c = compileRule(spec, r.data.family, errs, o.prevalidated === true);
      for (const row of c?.table?.rows ?? []) {
        const other = ids.get(row.id);
        if (other !== undefined) errs.push(`row ${row.id}: duplicate id (also in ${other})`);
        else ids.set(row.id, where);
      }
      for (const e of errs) errors.push(`${where}: rule ${spec.id}: ${e}`);
      if (c !== null && errs.length === 0) rules.push(Object.assign(c, { file: where }));
    }
  });
  return { rules, errors, valid };
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function compileRule(spec: RuleSpec, family: string, errs: string[], checked: boolean): CompiledRule | null {
  const cond = compileCond(spec.match, errs, 0, checked);
  const own = compileYield(spec.yield, errs, '');
  const table = compileTable(spec, own, errs);
  if (cond === null) return null;
  const yieldsSome = (o: Yields) => Object.keys(o.yields).length > 0;
  return {
    id: spec.id,
    family,
    description: spec.description,
    source: spec.source,
    confidence: spec.confidence,
    cond,
    ...own,
    table,
    needs: needsOf(cond),
    knowsFingerprints:
      (yieldsSome(own) || (table?.rows.some(yieldsSome) ?? false)) && readsFingerprints(cond),
    spec,
  };
}

/** Inputs a condition cannot match without (see CompiledRule.needs). */
function needsOf(c: Cond): string[] | null {
  switch (c.t) {
    case 'fact':
      // A test naming its keys needs a fact of that kind with one of them (byKind's third key); one
      // naming its protocols, a fact of that kind and one of them (the second). Keys are the rarer.
      return [...(c.keyLists ?? c.protocolLists ?? [c.kind])];
    case 'role':
      // A test for named roles needs one of them (classify looks the device's roles up by name).
      return c.names !== undefined ? c.names.map((n) => '@role=' + n) : ['@role'];
    case 'oui':
    case 'mac':
      return ['@' + c.t];
    case 'serves':
      return ['@served'];
    case 'peers':
      return ['@peers'];
    case 'all': {
      for (const x of c.c) {
        const n = needsOf(x);
        if (n !== null) return n;
      }
      return null;
    }
    case 'any': {
      const out = new Set<string>();
      for (const x of c.c) {
        const n = needsOf(x);
        if (n === null) return null;
        for (const k of n) out.add(k);
      }
      return [...out];
    }
    default:
      return null;
  }
}

function readsFingerprints(c: Cond): boolean {
  if (c.t === 'fact') return c.kind === 'fingerprint';
  if (c.t === 'all' || c.t === 'any') return c.c.some(readsFingerprints);
  return false;
}

const MAX_DEPTH = 16;

function compileCond(s: CondSpec, errs: string[], depth: number, checked: boolean): Cond | null {
  if (depth > MAX_DEPTH) {
    errs.push('conditions nest too deep');
    return null;
  }
  if ('all' in s || 'any' in s) {
    const list = 'all' in s ? s.all : s.any;
    const c: Cond[] = [];
    for (const x of list) {
      const k = compileCond(x, errs, depth + 1, checked);
      if (k !== null) c.push(k);
    }
    return c.length === list.length ? { t: 'all' in s ? 'all' : 'any', c } : null;
  }
  if ('not' in s) {
    const c = compileCond(s.not, errs, depth + 1, checked);
    return c === null ? null : { t: 'not', c };
  }
  if ('fact' in s) {
    const f = s.fact;
    const out: Cond = { t: 'fact', kind: f.kind };
    if (f.protocol !== undefined) out.protocol = compileMatcher(f.protocol, errs, checked);
    if (f.field !== undefined) out.field = compileMatcher(f.field, errs, checked);
    if (f.key !== undefined) out.key = compileMatcher(f.key, errs, checked);
    if (f.value !== undefined) out.value = compileMatcher(f.value, errs, checked);
    return keyed(out, f.key, f.protocol);
  }
  if ('oui' in s) return { t: 'oui', m: compileMatcher(s.oui, errs, checked) };
  if ('mac' in s) return { t: 'mac', m: compileMatcher(s.mac, errs, checked) };
  if ('serves' in s) return { t: 'serves', ports: s.serves === 'any' ? null : s.serves };
  if ('protocol' in s) return { t: 'protocol', m: compileMatcher(s.protocol, errs, checked) };
  if ('role' in s) {
    const names = literalNames(s.role);
    return names === null
      ? { t: 'role', m: compileMatcher(s.role, errs, checked) }
      : { t: 'role', m: compileMatcher(s.role, errs, checked), names };
  }
  if ('peers' in s) return { t: 'peers', protocol: s.peers.protocol, min: s.peers.min };
  if ('forwards' in s) return { t: 'forwards', min: s.forwards.min };
  // A SYN signature is a fingerprint fact whose value is tested field by field.
  if ('syn' in s) {
    const key = s.syn.synack === true ? 'tcp-synack' : 'tcp-syn';
    const out: Cond = { t: 'fact', kind: 'fingerprint' };
    out.key = compileMatcher(key, errs, checked);
    out.syn = synTest(s.syn);
    return keyed(out, key, undefined);
  }
  return { t: 'router', v: s.router };
}

/** byKind's key for the facts of a kind from one protocol (folded). */
export const byProtocol = (kind: string, protocol: string) => kind + '\0' + protocol;
/** byKind's key for the facts of a kind with one key (folded). */
export const byKey = (kind: string, key: string) => kind + '\u0001' + key;

/** A fact test with the lists of facts that can pass it (see Cond). */
function keyed(
  c: Extract<Cond, { t: 'fact' }>,
  key: MatcherSpec | undefined,
  protocol: MatcherSpec | undefined,
): Cond {
  const keys = key === undefined ? null : literalNames(key);
  const protocols = protocol === undefined ? null : literalNames(protocol);
  if (keys !== null) c.keyLists = keys.map((k) => byKey(c.kind, k));
  if (protocols !== null) c.protocolLists = protocols.map((p) => byProtocol(c.kind, p));
  return c;
}

const NEVER: Matcher = () => null;

/** A match without captures. Shared, so frozen: whoever adds captures makes a new object. */
const NO_CAPTURES: Captures = Object.freeze({}) as Captures;

/**
 * A name as the indexes file it (byKind's lists, the rule index's roles): lower-cased, and U+017F
 * (long s) as 's', since a case-insensitive `u` regex matches it for 's' (U+212A, the Kelvin sign,
 * lower-cases to 'k' already). A matcher that passes a value only when it is one of some names,
 * whether equal in case, in lower case or by a regex's case folding, passes only values whose folded
 * form is a folded name: the indexes can leave out every other value, and the matcher decides.
 */
export function foldName(s: string): string {
  const l = lower(s);
  return l.includes('\u017f') ? l.replaceAll('\u017f', 's') : l;
}

/** `^name$` or `^(name|name...)$` of plain characters (a `.` escaped). */
const LITERAL_REGEX =
  /^\^(?:\((\?:)?((?:[\w :/-]|\\\.)+(?:\|(?:[\w :/-]|\\\.)+)*)\)|((?:[\w :/-]|\\\.)+))\$$/;

/**
 * The names of a regex that is an anchored list of plain names (as written), and whether it captures
 * the name as group 1; null for any other regex.
 */
function literalRegex(source: string): { names: string[]; group: boolean } | null {
  const r = LITERAL_REGEX.exec(source);
  if (r === null) return null;
  const names = (r[2] ?? r[3]!).split('|').map((n) => n.replaceAll('\\.', '.'));
  return { names, group: r[2] !== undefined && r[1] === undefined };
}

/**
 * The names a matcher passes, folded, when it passes no other value (equals, in, or a regex that is
 * an anchored list of plain names); null when it may pass others. Its tests must all pass (see
 * compileMatcher), so one of them naming its values is enough.
 */
export function literalNames(m: MatcherSpec): string[] | null {
  const spec = typeof m === 'string' ? { equals: m } : m;
  if (spec.equals !== undefined) return [foldName(spec.equals)];
  if (spec.in !== undefined) return spec.in.map(foldName);
  const r = spec.regex === undefined ? null : literalRegex(spec.regex);
  return r === null ? null : r.names.map(foldName);
}

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The regex without the `u` flag, for ASCII values, where it matches exactly as the `u` one does; null
 * where that is not certain. V8 builds a case-insensitive Unicode regex at its first use at twice to
 * three times the cost of the same regex without `u` (the case folding of every character), and
 * classification's first pass over a capture builds hundreds of them.
 *
 * Why equal: a pattern valid with `u` and written in printable ASCII parses the same without it (the
 * `u` grammar is the stricter one), and over ASCII text the two differ only through the characters that
 * Unicode case folding maps onto ASCII (U+017F and U+212A, which \w and \W then include or exclude). An
 * ASCII value holds neither; a pattern could name them only by an escape (\u, \p), and patterns with
 * \u, \p, \P, \W, \B or \k keep the `u` regex alone.
 */
function asciiTwin(source: string, caseSensitive: boolean): RegExp | null {
  if (!/^[\x20-\x7e]*$/.test(source) || /\\[upPWBk]/.test(source)) return null;
  try {
    return new RegExp(source, caseSensitive ? '' : 'i');
  } catch {
    return null;
  }
}

/** A character toLowerCase may change: an ASCII capital, or anything past ASCII. */
const CASED = /[A-Z\u0080-\uffff]/;

/**
 * `s.toLowerCase()`, without a new string where there is nothing to lower: V8 makes one on every
 * call, and each of a device's facts meets a hundred tests or more when it is classified.
 */
const lower = (s: string) => (CASED.test(s) ? s.toLowerCase() : s);

/**
 * `checked`: the spec comes from rules that compiled without an error before (the rules cache), so its
 * regex is known to be valid and is built on its first use. Building the rules' 353 regexes and their
 * ASCII twins took 1.6 ms of every analysis's start-up, and a small capture runs few of them.
 */
export function compileMatcher(m: MatcherSpec, errs: string[], checked = false): Matcher {
  const spec = typeof m === 'string' ? { equals: m } : m;
  const cs = spec.case === true;
  const norm = (s: string) => (cs ? s : lower(s));
  const tests: ((s: string) => Captures | null)[] = [];
  if (spec.equals !== undefined) {
    const e = norm(spec.equals);
    tests.push((s) => (norm(s) === e ? NO_CAPTURES : null));
  }
  if (spec.in !== undefined) {
    const set = new Set(spec.in.map(norm));
    tests.push((s) => (set.has(norm(s)) ? NO_CAPTURES : null));
  }
  if (spec.prefix !== undefined) {
    const p = norm(spec.prefix);
    tests.push((s) => (norm(s).startsWith(p) ? NO_CAPTURES : null));
  }
  if (spec.suffix !== undefined) {
    const p = norm(spec.suffix);
    tests.push((s) => (norm(s).endsWith(p) ? NO_CAPTURES : null));
  }
  if (spec.contains !== undefined) {
    const p = norm(spec.contains);
    tests.push((s) => (norm(s).includes(p) ? NO_CAPTURES : null));
  }
  const names = spec.regex === undefined ? null : literalRegex(spec.regex);
  if (names !== null && names.names.every((n) => n.length < 1024)) {
    // A set lookup passes what the regex passes: case-sensitive, the names themselves; else the values
    // whose foldName is a name's, since a case-insensitive `u` regex matches a name's ASCII letters
    // for their two cases and for U+017F (long s, as 's') and U+212A (Kelvin, as 'k') alone, which
    // foldName maps onto them, and nothing else lower-cases to ASCII but U+0130 (to 'i' and a
    // combining dot, two characters). Values past 1024 characters, which the regex sees clipped,
    // match no name. Such tests (keys, protocols, roles) were a third of classification's regex runs.
    const set = new Set(cs ? names.names : names.names.map(foldName));
    const pass = (s: string) => set.has(cs ? s : foldName(s));
    tests.push(names.group ? (s) => (pass(s) ? { '1': s } : null) : (s) => (pass(s) ? {} : null));
  } else if (spec.regex !== undefined) {
    const source = spec.regex;
    const flags = cs ? 'u' : 'iu';
    let re: RegExp | null = null;
    if (!checked) {
      try {
        re = new RegExp(source, flags);
      } catch (e) {
        errs.push(`bad regex /${source}/: ${e instanceof Error ? e.message : String(e)}`);
        return NEVER;
      }
    }
    let ascii: RegExp | null | undefined;
    tests.push((s) => {
      // Values are clipped to 512 characters by the dissectors; clip again so no regex sees more.
      const v = s.length > 1024 ? s.slice(0, 1024) : s;
      if (ascii === undefined) ascii = asciiTwin(source, cs);
      const r = (ascii !== null && !NON_ASCII.test(v) ? ascii : (re ??= new RegExp(source, flags))).exec(v);
      if (r === null) return null;
      const c: Captures = {};
      for (let i = 1; i < r.length && i < 10; i++) if (r[i] !== undefined) c[String(i)] = r[i]!;
      // for-in, not Object.entries: no array per group (the same keys, in the same order).
      if (r.groups !== undefined)
        for (const k in r.groups) {
          const v = r.groups[k];
          if (v !== undefined) c[k] = v;
        }
      return c;
    });
  }
  // Most matchers are one test: no combining (and no object per call) needed.
  if (tests.length === 1) return tests[0]!;
  return (s) => {
    let out: Captures = NO_CAPTURES;
    for (const t of tests) {
      const c = t(s);
      if (c === null) return null;
      out = { ...out, ...c };
    }
    return out;
  };
}

import {
  ATTRIBUTES,
  foldName,
  type AttributeName,
  type CompiledRule,
  type Cond,
  type Matcher,
} from './compile';
import { combine, type Attribute, type AttributeEvidence, type Candidate } from './combine';
import type { DeviceFacts } from './facts';
import {
  addFact,
  byKind,
  dropFact,
  matchAll,
  matchRule,
  putBack,
  setAside,
  yieldOf,
  type EvidenceRef,
  type FactsByKind,
} from './match';
import { isoTimeOrNull } from '../util/time';
import { categoryOf, PURDUE_LEVEL, ROLE_PURDUE, type DeviceType } from './taxonomy';

export interface RoleAttribute {
  value: string;
  confidence: number;
  evidence: AttributeEvidence[];
}

export interface UnmatchedFingerprint {
  scheme: string;
  value: string;
  protocol: string;
  count: number;
  frame: number | null;
}

export interface Classification {
  vendor: Attribute;
  category: Attribute;
  type: Attribute;
  model: Attribute;
  os: Attribute;
  firmware: Attribute;
  hostname: Attribute;
  roles: RoleAttribute[];
  purdue: { level: number; reason: string } | null;
  /** Fingerprints no rule used: material for new rules (`glasspane fingerprints --unknown`). */
  unmatched: UnmatchedFingerprint[];
  /** Ids of the rules that fired. */
  fired: string[];
}

const MAX_ROLES = 32;

const NO_CANDIDATES: readonly Candidate[] = Object.freeze([]);

function evidenceOf(rule: string, refs: EvidenceRef[]): AttributeEvidence[] {
  return refs.map((e) => ({
    rule,
    kind: e.kind,
    protocol: e.protocol,
    field: e.field,
    value: e.value,
    frame: e.frame,
    time: isoTimeOrNull(e.ts),
  }));
}

interface RuleIndex {
  /** Rules that may match any device (no stated need). */
  always: number[];
  /** Rules by what they cannot match without (CompiledRule.needs): a fact key or an @input. */
  byNeed: Map<string, number[]>;
  knowsFingerprints: CompiledRule[];
  /** A mark per rule, all clear between calls: candidates() sets and clears them. */
  marks: Uint8Array;
  /** The rules candidates() marked, in the order met; its answer is a sorted view of the first few. */
  found: Int32Array;
  /**
   * Rules that need an OUI and cannot match without their test of it passing (a bare `oui` test, or
   * one in a top-level `all`), with that test: byOui lists those whose test an OUI passes.
   */
  ouiTests: { i: number; m: Matcher }[];
  /** Per OUI name, the rules of ouiTests whose test it passes (their order kept); bounded. */
  byOui: Map<string, number[]>;
}

/** Distinct OUI names whose passing rules are kept: the registry has some 40,000 organisations. */
const MAX_OUIS = 4096;

/** The OUI test a rule cannot match without, or null. */
function ouiTestOf(c: Cond): Matcher | null {
  if (c.t === 'oui') return c.m;
  if (c.t === 'all') for (const x of c.c) if (x.t === 'oui') return x.m;
  return null;
}

const indexes = new WeakMap<readonly CompiledRule[], RuleIndex>();

/** Built once per rule set: most devices meet the needs of a few dozen of hundreds of rules. */
function ruleIndex(rules: readonly CompiledRule[]): RuleIndex {
  let idx = indexes.get(rules);
  if (idx !== undefined) return idx;
  idx = {
    always: [],
    byNeed: new Map(),
    knowsFingerprints: rules.filter((r) => r.knowsFingerprints),
    marks: new Uint8Array(rules.length),
    found: new Int32Array(rules.length),
    ouiTests: [],
    byOui: new Map(),
  };
  rules.forEach((r, i) => {
    const oui = r.needs?.length === 1 && r.needs[0] === '@oui' ? ouiTestOf(r.cond) : null;
    if (r.needs === null) idx.always.push(i);
    else if (oui !== null) idx.ouiTests.push({ i, m: oui });
    else
      for (const k of r.needs) {
        const l = idx.byNeed.get(k);
        if (l === undefined) idx.byNeed.set(k, [i]);
        else if (l[l.length - 1] !== i) l.push(i);
      }
  });
  indexes.set(rules, idx);
  return idx;
}

const INPUTS = ['@oui', '@mac', '@role', '@served', '@peers'];

/**
 * The rules of ouiTests whose OUI test `oui` passes. Once per OUI name and rule set, not per device:
 * a capture's devices share a few hundred OUIs, and 43 rules test each (12,255 tests for the bench
 * capture's 1,151 devices, most failing).
 */
function ouiRules(idx: RuleIndex, oui: string): number[] {
  const have = idx.byOui.get(oui);
  if (have !== undefined) return have;
  const out: number[] = [];
  for (const t of idx.ouiTests) if (t.m(oui) !== null) out.push(t.i);
  if (idx.byOui.size < MAX_OUIS) idx.byOui.set(oui, out);
  return out;
}

/**
 * Indices of the rules whose needs this device meets, in rule order (the order rules fire in): a
 * view of idx.found, good until the next call.
 */
function candidates(
  idx: RuleIndex,
  facts: FactsByKind,
  roles: readonly string[],
  oui: string | null,
  has: (k: string) => boolean,
): Int32Array {
  // Marks rather than a union of sorted lists: a device meets a few dozen lists of up to hundreds of
  // rules. The marked rules are kept as met and sorted after (a typed array sorts numbers natively),
  // not found by scanning every mark: the bench capture's devices meet 14 rules of 354 on average.
  const marks = idx.marks;
  const found = idx.found;
  let n = 0;
  const add = (l: number[] | undefined) => {
    if (l === undefined) return;
    for (let j = 0; j < l.length; j++) {
      const i = l[j]!;
      if (marks[i] === 1) continue;
      marks[i] = 1;
      found[n++] = i;
    }
  };
  add(idx.always);
  for (const k of facts.keys()) add(idx.byNeed.get(k));
  for (let j = 0; j < INPUTS.length; j++) if (has(INPUTS[j]!)) add(idx.byNeed.get(INPUTS[j]!));
  for (let j = 0; j < roles.length; j++) add(idx.byNeed.get('@role=' + foldName(roles[j]!)));
  if (oui !== null) add(ouiRules(idx, oui));
  for (let j = 0; j < n; j++) marks[found[j]!] = 0;
  return found.subarray(0, n).sort();
}

/** Run every rule over one device's facts and combine what fired into attributes with evidence. */
export function classify(d: DeviceFacts, rules: readonly CompiledRule[]): Classification {
  const facts = byKind(d);
  // Lists made as rules propose values: most devices get a few attributes of seven.
  const cands = new Map<AttributeName, Candidate[]>();
  const proposed = (a: AttributeName): readonly Candidate[] => cands.get(a) ?? NO_CANDIDATES;
  const roles = new Map<string, RoleAttribute>();
  const used = new Set<object>();
  const fired: string[] = [];

  for (const f of facts.get('role') ?? []) {
    if (roles.has(f.key) || roles.size >= MAX_ROLES) continue;
    roles.set(f.key, {
      value: f.key,
      confidence: 0.9,
      evidence: [
        {
          rule: 'observed',
          kind: 'role',
          protocol: f.protocol,
          field: f.field,
          value: f.key,
          frame: f.frame,
          time: isoTimeOrNull(f.ts),
        },
      ],
    });
  }

  // Roles stated outside the facts (device-level input) count as observed too.
  for (const r of d.roles) {
    if (roles.has(r) || roles.size >= MAX_ROLES) continue;
    roles.set(r, {
      value: r,
      confidence: 0.9,
      evidence: [
        {
          rule: 'observed',
          kind: 'role',
          protocol: 'classify',
          field: 'role',
          value: r,
          frame: null,
          time: null,
        },
      ],
    });
  }

  const has = (k: string): boolean => {
    if (k.charCodeAt(0) !== 64) return facts.has(k);
    if (k === '@oui') return d.oui !== null;
    if (k === '@mac') return d.mac !== null;
    if (k === '@role') return d.roles.length > 0 || facts.has('role');
    if (k === '@served') return d.served.length > 0;
    return Object.keys(d.peers).length > 0;
  };
  const idx = ruleIndex(rules);
  // Indexed loops in this one: classification runs once per run with code V8 has not optimised, where
  // every for-of makes an iterator and an object per step (bench capture: 1,151 devices, 15,881
  // candidate rules, 2,353 matches of 7 attributes each).
  const cl = candidates(idx, facts, d.roles, d.oui, has);
  for (let ci = 0; ci < cl.length; ci++) {
    const rule = rules[cl[ci]!]!;
    const ms = matchAll(rule, d, facts);
    for (let mi = 0; mi < ms.length; mi++) {
      const m = ms[mi]!;
      const r = m.outcome;
      const ev = evidenceOf(r.id, m.evidence);
      let yielded = false;
      for (let ai = 0; ai < ATTRIBUTES.length; ai++) {
        const a = ATTRIBUTES[ai]!;
        if (r.yields[a] === undefined) continue;
        const v = yieldOf(r, a, m.captures);
        if (v === null) continue;
        const c = { value: v, confidence: r.weights[a] ?? r.confidence, rule: r.id, evidence: ev };
        const l = cands.get(a);
        if (l === undefined) cands.set(a, [c]);
        else l.push(c);
        yielded = true;
      }
      for (let ri = 0; ri < r.roles.length; ri++) {
        const role = r.roles[ri]!;
        yielded = true;
        const have = roles.get(role);
        if (have === undefined) {
          if (roles.size < MAX_ROLES)
            roles.set(role, { value: role, confidence: r.confidence, evidence: [...ev] });
        } else {
          have.confidence = Math.max(have.confidence, r.confidence);
          if (have.evidence.length < 8) have.evidence.push(...ev.slice(0, 8 - have.evidence.length));
        }
      }
      if (yielded && fired[fired.length - 1] !== r.id) fired.push(r.id);
      if (rule.knowsFingerprints) for (const e of m.evidence) if (e.fact !== undefined) used.add(e.fact);
    }
  }

  // A rule's leaf stops at the first fingerprint it matches; try the others one at a time so a
  // device's second known fingerprint is not reported as unknown.
  const prints = facts.get('fingerprint') ?? [];
  if (prints.some((f) => !used.has(f))) {
    const known = idx.knowsFingerprints;
    // Each print alone in every list byKind keeps of the kind; the lists put back after.
    const saved = setAside(facts, 'fingerprint');
    for (const f of prints) {
      if (used.has(f)) continue;
      addFact(facts, f);
      for (const r of known) {
        if (matchRule(r, d, facts)?.evidence.some((e) => e.fact === f) === true) {
          used.add(f);
          break;
        }
      }
      dropFact(facts, f);
    }
    putBack(facts, saved);
  }

  const type = combine('type', proposed('type'));
  const category = categoryFor(type, proposed('category'));
  const roleList = [...roles.values()].sort((a, b) => (a.value < b.value ? -1 : 1));
  const unmatched: UnmatchedFingerprint[] = [];
  for (const f of prints)
    if (!used.has(f))
      unmatched.push({ scheme: f.key, value: f.value, protocol: f.protocol, count: f.count, frame: f.frame });

  return {
    vendor: combine('vendor', proposed('vendor')),
    category,
    type,
    model: combine('model', proposed('model')),
    os: combine('os', proposed('os')),
    firmware: combine('firmware', proposed('firmware')),
    hostname: combine('hostname', proposed('hostname')),
    roles: roleList,
    purdue: purdue(type, category, roleList),
    unmatched,
    fired,
  };
}

/** Purdue level of an OT device: from its type where the taxonomy gives one, else from its control roles. */
function purdue(
  type: Attribute,
  category: Attribute,
  roles: RoleAttribute[],
): { level: number; reason: string } | null {
  if (type.value !== null) {
    const p = PURDUE_LEVEL[type.value as DeviceType];
    if (p !== undefined) return { level: p.level, reason: `${type.value}: ${p.reason}` };
  }
  if (category.value === 'network') return null;
  let best: { level: number; reason: string } | null = null;
  for (const r of roles) {
    const p = ROLE_PURDUE[r.value];
    if (p !== undefined && (best === null || p.level < best.level))
      best = { level: p.level, reason: `${r.value}: ${p.reason}` };
  }
  return best;
}

/**
 * The category follows the chosen type (a PLC is OT whatever else was said); stated categories that
 * agree add their evidence, the others stay as alternatives. Without a type, stated categories decide.
 */
function categoryFor(type: Attribute, stated: readonly Candidate[]): Attribute {
  const fromType = type.value === null ? null : categoryOf(type.value);
  if (fromType === null) return combine('category', stated);
  const all = combine('category', stated);
  const agree = stated.filter((c) => c.value === fromType);
  const evidence = [...type.evidence];
  for (const c of agree) for (const e of c.evidence) if (evidence.length < 16) evidence.push(e);
  const alternatives = all.value === null ? [] : [...all.alternatives];
  if (all.value !== null && all.value !== fromType)
    alternatives.unshift({
      value: all.value,
      confidence: all.confidence,
      rules: [...new Set(stated.filter((c) => c.value === all.value).map((c) => c.rule))],
    });
  return {
    value: fromType,
    confidence: type.confidence,
    evidence,
    alternatives: alternatives.filter((a) => a.value !== fromType),
  };
}

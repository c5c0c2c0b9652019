import type { AttributeEvidenceJson } from '../model/inventory';
import type { AttributeName } from './compile';
import { typeGeneralizes } from './taxonomy';

/** One piece of evidence behind an attribute, for the UI's "why do you think so?": as it goes out. */
export type AttributeEvidence = AttributeEvidenceJson;

/** A value a rule proposed for an attribute. */
export interface Candidate {
  value: string;
  confidence: number;
  rule: string;
  evidence: AttributeEvidence[];
}

export interface Alternative {
  value: string;
  confidence: number;
  rules: string[];
}

export interface Attribute {
  value: string | null;
  confidence: number;
  evidence: AttributeEvidence[];
  /** Conflicting values, strongest first, with the rules that proposed them. */
  alternatives: Alternative[];
}

export const EMPTY: Attribute = { value: null, confidence: 0, evidence: [], alternatives: [] };

const MAX_EVIDENCE = 16;
const MAX_ALTERNATIVES = 8;

interface Group {
  key: string;
  value: string;
  best: number;
  /** Strongest confidence per rule: one rule firing on many facts is one opinion. */
  byRule: Map<string, number>;
  evidence: AttributeEvidence[];
  /** noisyOr of byRule, once all candidates are in. */
  own: number;
}

/** What one opinion leaves in doubt: 1 - c, with c clamped to 0..1. */
const doubt = (c: number): number => 1 - Math.min(Math.max(c, 0), 1);

/** Independent opinions agree: 1 - product of (1 - c). */
function noisyOr(cs: Iterable<number>): number {
  let p = 1;
  for (const c of cs) p *= doubt(c);
  return 1 - p;
}

/** Does `g` state less than `s` while agreeing with it? (types by the taxonomy, text by word prefix) */
export function generalizes(attr: AttributeName, g: string, s: string): boolean {
  if (g === s) return false;
  if (attr === 'type') return typeGeneralizes(g, s);
  if (attr === 'category' || attr === 'hostname') return false;
  if (attr === 'os' && ntRefines(g, s)) return true;
  return s.startsWith(g) && /[\s/(,._-]/.test(s.charAt(g.length));
}

const NT = /, nt (\d+(?:\.\d+)*)$/i;
/**
 * Windows names end in their NT version (shared/classify/windows.ts): "Windows XP, NT 5.1" (a browser
 * announcement) states less than "Windows XP SP3, NT 5.1.2600" (NTLM's build) though the words differ.
 */
function ntRefines(g: string, s: string): boolean {
  const a = NT.exec(g);
  const b = NT.exec(s);
  return a !== null && b !== null && b[1]!.startsWith(a[1]! + '.');
}

/**
 * Pick one value per attribute: the strongest wins; a value that refines another (Windows 10 over
 * Windows, engineering-workstation over workstation) takes that one's support; the rest stay visible
 * as alternatives with their rule ids.
 */
export function combine(attr: AttributeName, cands: readonly Candidate[]): Attribute {
  if (cands.length === 0) return EMPTY;
  // One candidate (most attributes that have any): what the groups below make of it, without them.
  if (cands.length === 1) {
    const c = cands[0]!;
    // noisyOr of one opinion is 1 - doubt(c), to the bit: its group's own (byRule keeps at least 0),
    // then the support of the group alone.
    const score = 1 - doubt(1 - doubt(Math.max(0, c.confidence)));
    return {
      value: c.value,
      confidence: round(score),
      evidence: c.evidence.slice(0, MAX_EVIDENCE),
      alternatives: [],
    };
  }
  const groups = new Map<string, Group>();
  for (const c of cands) {
    const key = c.value.toLowerCase();
    let g = groups.get(key);
    if (g === undefined)
      groups.set(key, (g = { key, value: c.value, best: 0, byRule: new Map(), evidence: [], own: 0 }));
    if (c.confidence > g.best) {
      g.best = c.confidence;
      g.value = c.value;
    }
    g.byRule.set(c.rule, Math.max(g.byRule.get(c.rule) ?? 0, c.confidence));
    for (const e of c.evidence) if (g.evidence.length < MAX_EVIDENCE) g.evidence.push(e);
  }
  const list = [...groups.values()];
  for (const g of list) g.own = noisyOr(g.byRule.values());
  let win: Group | null = null;
  let winScore = -1;
  for (const g of list) {
    const support = [g.own];
    for (const h of list) if (generalizes(attr, h.key, g.key)) support.push(h.own);
    const score = noisyOr(support);
    // Ties go to the more specific value, then to the one with more evidence.
    if (
      win === null ||
      score > winScore + 1e-9 ||
      (Math.abs(score - winScore) <= 1e-9 &&
        (generalizes(attr, win.key, g.key) ||
          (!generalizes(attr, g.key, win.key) && g.evidence.length > win.evidence.length)))
    ) {
      win = g;
      winScore = score;
    }
  }
  const w = win!;
  const evidence = [...w.evidence];
  const alternatives: Alternative[] = [];
  for (const g of list) {
    if (g === w) continue;
    if (generalizes(attr, g.key, w.key)) {
      for (const e of g.evidence) if (evidence.length < MAX_EVIDENCE) evidence.push(e);
      continue;
    }
    alternatives.push({ value: g.value, confidence: round(g.own), rules: [...g.byRule.keys()].sort() });
  }
  alternatives.sort((a, b) => b.confidence - a.confidence || (a.value < b.value ? -1 : 1));
  return {
    value: w.value,
    confidence: round(winScore),
    evidence,
    alternatives: alternatives.slice(0, MAX_ALTERNATIVES),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

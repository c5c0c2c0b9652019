import { compileYield, type AttributeName, type Outcome, type Yields } from './outcome';
import type { RuleSpec } from './schema';

/**
 * Lookup tables (assets/rules/README.md): one rule, many rows, key -> result. Rows compile to outcomes
 * of their own; match.ts picks the row a match's key names.
 */

/** A row of a rule's lookup table; `index` is its place in the table (rows fire in that order). */
export interface LookupRow extends Outcome {
  index: number;
  /** Its keys as written (lower-cased), in order. */
  keys: string[];
}

export interface LookupTable {
  /** Template filled from the match's captures: the key looked up (lower-cased). */
  key: string;
  rows: LookupRow[];
  byKey: Map<string, LookupRow>;
}

/** A row yields the rule's own yield with its own on top (an attribute the row names is the row's). */
export function compileTable(spec: RuleSpec, own: Yields, errs: string[]): LookupTable | null {
  if (spec.lookup === undefined) return null;
  const byKey = new Map<string, LookupRow>();
  const rows: LookupRow[] = [];
  for (const [index, r] of spec.lookup.rows.entries()) {
    const y = compileYield(r.yield, errs, `row ${r.id}: `);
    const keys = (Array.isArray(r.key) ? r.key : [r.key]).map((k) => String(k).toLowerCase());
    const row: LookupRow = {
      id: r.id,
      index,
      keys,
      confidence: r.confidence ?? spec.confidence,
      yields: { ...own.yields, ...y.yields },
      weights: { ...own.weights },
      lookups: { ...own.lookups },
      roles: [...new Set([...own.roles, ...y.roles])],
    };
    for (const a of Object.keys(y.yields) as AttributeName[]) {
      delete row.weights[a];
      delete row.lookups[a];
    }
    Object.assign(row.weights, y.weights);
    Object.assign(row.lookups, y.lookups);
    rows.push(row);
    for (const k of keys) {
      const other = byKey.get(k);
      if (other !== undefined) errs.push(`row ${r.id}: key '${k}' is also row ${other.id}'s`);
      else byKey.set(k, row);
    }
  }
  return { key: spec.lookup.key ?? '${value}', rows, byKey };
}

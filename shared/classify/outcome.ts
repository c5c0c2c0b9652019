import { LOOKUPS, type LookupName } from './lookups';
import type { YieldSpec } from './schema';
import { isCategory, isType } from './taxonomy';

export const ATTRIBUTES = ['vendor', 'category', 'type', 'model', 'os', 'firmware', 'hostname'] as const;
export type AttributeName = (typeof ATTRIBUTES)[number];

/** What a rule, or one row of its lookup table, yields, under the id its evidence names. */
export interface Outcome {
  id: string;
  confidence: number;
  /** Value templates per attribute. */
  yields: Partial<Record<AttributeName, string>>;
  /** Per-attribute confidence where the rule states one; else `confidence`. */
  weights: Partial<Record<AttributeName, number>>;
  /** Per-attribute table the filled template is looked up in (Windows versions -> names). */
  lookups: Partial<Record<AttributeName, (filled: string) => string | null>>;
  roles: string[];
}

/** An outcome without its id and confidence: what a rule's or a row's `yield` compiles to. */
export type Yields = Omit<Outcome, 'id' | 'confidence'>;

export function compileYield(y: YieldSpec | undefined, errs: string[], where: string): Yields {
  const yields: Partial<Record<AttributeName, string>> = {};
  const weights: Partial<Record<AttributeName, number>> = {};
  const lookups: Partial<Record<AttributeName, (filled: string) => string | null>> = {};
  for (const a of ATTRIBUTES) {
    const v = y?.[a];
    if (v === undefined) continue;
    if (typeof v === 'string') yields[a] = v;
    else {
      yields[a] = v.value;
      if (v.confidence !== undefined) weights[a] = v.confidence;
      if (v.lookup !== undefined) lookups[a] = LOOKUPS[v.lookup as LookupName];
    }
  }
  if (yields.type !== undefined && !yields.type.includes('$') && !isType(yields.type))
    errs.push(`${where}yield.type: '${yields.type}' is not a type of the taxonomy`);
  if (yields.category !== undefined && !isCategory(yields.category))
    errs.push(`${where}yield.category: '${yields.category}' is not IT, IoT, OT or network`);
  const roles = y?.role === undefined ? [] : Array.isArray(y.role) ? y.role : [y.role];
  for (const r of roles)
    if (!/^[a-z0-9-]+$/.test(r)) errs.push(`${where}yield.role: '${r}' must be lower-case-with-dashes`);
  return { yields, weights, lookups, roles };
}

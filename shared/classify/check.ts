import { classify } from './classify';
import type { AttributeName, CompiledRule } from './compile';
import { factsFromCase } from './facts';
import { byKind, matchAll, yieldOf } from './match';

/**
 * Run a rule's own test cases: every `fire` case must fire it (and yield what `expect` says), every
 * `miss` case must not. A rule without both kinds of case fails, and so does a lookup table with a row
 * no fire case reaches. Returns the problems found.
 */
export function checkRuleCases(r: CompiledRule): string[] {
  const out: string[] = [];
  const fire = r.spec.tests?.fire ?? [];
  const miss = r.spec.tests?.miss ?? [];
  if (fire.length === 0) out.push(`${r.id}: no test case that fires it`);
  if (miss.length === 0) out.push(`${r.id}: no test case that must not fire it`);
  const fired = new Set<string>();
  fire.forEach((c, i) => {
    const d = factsFromCase(c);
    // As classification matches: a single fact test matches each fact it accepts (a device stating
    // several capability bits reaches a table's row with any of them).
    const all = matchAll(r, d, byKind(d));
    const m = all[0];
    if (m === undefined) {
      out.push(`${r.id}: fire case ${i + 1} does not fire`);
      return;
    }
    for (const x of all) fired.add(x.outcome.id);
    const o = m.outcome;
    for (const [a, t] of Object.entries(o.yields)) {
      if (yieldOf(o, a as AttributeName, m.captures) === null)
        out.push(
          `${o.id}: fire case ${i + 1}: ${a} template '${t}' left unfilled` +
            (o.lookups[a as AttributeName] ? ' or not found by its lookup' : ''),
        );
    }
    if (c.expect === undefined) return;
    // Expectations are about this rule alone.
    const cl = classify(d, [r]);
    for (const [k, want] of Object.entries(c.expect)) {
      let got: string | null | undefined;
      if (k === 'role')
        got = cl.roles.find((x) => x.value === want)?.value ?? cl.roles.map((x) => x.value).join(',');
      else if (k in cl) got = (cl as unknown as Record<string, { value: string | null }>)[k]?.value;
      else {
        out.push(`${r.id}: fire case ${i + 1}: unknown expectation '${k}'`);
        continue;
      }
      if (got !== want)
        out.push(`${r.id}: fire case ${i + 1}: ${k} is '${got ?? 'null'}', expected '${want}'`);
    }
  });
  miss.forEach((c, i) => {
    const d = factsFromCase(c);
    if (matchAll(r, d, byKind(d)).length > 0) out.push(`${r.id}: miss case ${i + 1} fires`);
  });
  // Each row of a lookup table is a rule of its own: a fire case must reach it.
  for (const row of r.table?.rows ?? [])
    if (!fired.has(row.id)) out.push(`${row.id}: no fire case reaches this row of the table`);
  return out;
}

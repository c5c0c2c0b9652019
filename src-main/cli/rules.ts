import { checkRuleCases, checkRuleNames, type KnownNames } from '../../shared/classify';
import { LAYERS } from '../../shared/decode/layers';
import { APP_PROTOCOLS, DECLARED } from '../../shared/protocols';
import { readRules, RULES_DIR } from '../classify/load';

/**
 * The names rules may use: the protocols, fields and keys the dissectors declare, and the names a
 * device's protocol list holds (a protocol's parts are listed under the protocol: `profinet`).
 */
export function knownNames(): KnownNames {
  const parts = new Set(APP_PROTOCOLS.flatMap((a) => a.parts ?? []));
  const deviceProtocols = new Set([
    ...LAYERS.map((l) => l.name),
    ...APP_PROTOCOLS.map((a) => a.name),
    ...[...DECLARED.keys()].filter((p) => !parts.has(p)),
  ]);
  return {
    facts: new Map([...DECLARED].map(([p, d]) => [p, d.vocabulary])),
    deviceProtocols: [...deviceProtocols],
  };
}

/**
 * `glasspane rules check`: load every rule file, validate it, run each rule's own test cases, and
 * print a summary (or the errors with file and rule id). Returns the exit code.
 */
export async function rulesCheckCommand(dir = RULES_DIR): Promise<number> {
  const r = readRules(dir);
  const problems = [...r.errors];
  const known = knownNames();
  for (const rule of r.rules) {
    problems.push(...checkRuleCases(rule).map((p) => `${rule.family}: ${p}`));
    problems.push(...checkRuleNames(rule, known).map((p) => `${rule.file ?? rule.family}: rule ${p}`));
  }
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`glasspane: rules: ${p}\n`);
    process.stderr.write(`glasspane: rules: ${problems.length} problem(s) in ${r.files.length} file(s)\n`);
    return 1;
  }
  const byFamily = new Map<string, number>();
  for (const x of r.rules) byFamily.set(x.family, (byFamily.get(x.family) ?? 0) + 1);
  let cases = 0;
  for (const x of r.rules) cases += (x.spec.tests?.fire?.length ?? 0) + (x.spec.tests?.miss?.length ?? 0);
  const tables = r.rules.filter((x) => x.table !== null);
  const rows = tables.reduce((n, x) => n + x.table!.rows.length, 0);
  const ofTables = tables.length > 0 ? `; lookup tables: ${tables.length} (${rows} rows)` : '';
  process.stdout.write(
    `${r.rules.length} rules in ${r.files.length} files, ${cases} test cases pass${ofTables}\n`,
  );
  for (const [f, n] of [...byFamily].sort()) process.stdout.write(`  ${f.padEnd(16)} ${n}\n`);
  return 0;
}

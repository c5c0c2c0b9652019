import { checkRuleCases } from '../../shared/classify';
import { readRules, RULES_DIR } from '../classify/load';

/**
 * `glasspane rules check`: load every rule file, validate it, run each rule's own test cases, and
 * print a summary (or the errors with file and rule id). Returns the exit code.
 */
export async function rulesCheckCommand(dir = RULES_DIR): Promise<number> {
  const r = readRules(dir);
  const problems = [...r.errors];
  for (const rule of r.rules) problems.push(...checkRuleCases(rule).map((p) => `${rule.family}: ${p}`));
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

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { compileRules, type CompiledRule } from '../../shared/classify';
import { repoRoot } from '../native/load-native';

/**
 * assets/rules of this installation: found from the package root (the checkout, or app.asar in a
 * packaged app), whether this runs from source or from a bundle; GLASSPANE_RULES_DIR points
 * elsewhere (a site's own rules).
 */
export const RULES_DIR =
  process.env.GLASSPANE_RULES_DIR ?? join(repoRoot() ?? resolve('.'), 'assets', 'rules');

export interface LoadedRules {
  rules: CompiledRule[];
  errors: string[];
  files: string[];
}

/** Read, parse and validate every *.yaml in a directory; errors name the file and the rule. */
export function readRules(dir = RULES_DIR): LoadedRules {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const docs: unknown[] = [];
  const names: string[] = [];
  const errors: string[] = [];
  for (const f of files) {
    try {
      docs.push(parse(readFileSync(join(dir, f), 'utf8')));
      names.push(f);
    } catch (e) {
      errors.push(`${f}: YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  const r = compileRules(docs, names);
  return { rules: r.rules, errors: [...errors, ...r.errors], files };
}

const cache = new Map<string, CompiledRule[]>();

/** The compiled rules of a directory, loaded once. Throws when a file does not validate. */
export function loadRules(dir = RULES_DIR): CompiledRule[] {
  const have = cache.get(dir);
  if (have !== undefined) return have;
  const r = readRules(dir);
  if (r.errors.length > 0) throw new Error(`invalid rules in ${dir}:\n  ${r.errors.join('\n  ')}`);
  cache.set(dir, r.rules);
  return r.rules;
}

import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const parsed = parsedDocs(dir, files);
  const r = compileRules(parsed.docs, parsed.names, { prevalidated: parsed.validated });
  if (!parsed.validated && parsed.errors.length === 0 && r.errors.length === 0)
    saveCache(parsed.cacheFile, parsed.stamp, r.valid, parsed.names);
  return { rules: r.rules, errors: [...parsed.errors, ...r.errors], files };
}

interface ParsedCache {
  stamp: string;
  docs: unknown[];
  names: string[];
}

/**
 * This code, the rule schema it validates with and the compiler that trusts a cached rule's regexes
 * (from source; a bundle is all three): a cache written by other code is not trusted.
 */
function codeStamp(): unknown[] {
  const self = fileURLToPath(import.meta.url);
  const classify = join(dirname(self), '..', '..', 'shared', 'classify');
  return [self, join(classify, 'schema.ts'), join(classify, 'compile.ts')].map((f) => {
    try {
      const st = statSync(f);
      return [st.size, st.mtimeMs];
    } catch {
      return null;
    }
  });
}

function saveCache(cacheFile: string | null, stamp: string, docs: unknown[], names: string[]): void {
  if (cacheFile === null) return;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ stamp, docs, names } satisfies ParsedCache));
    renameSync(tmp, cacheFile);
  } catch {
    // Read-only installation: fine, parse next time too.
  }
}

/**
 * The YAML documents of the rule files. Parsing YAML and validating it is most of the cost of starting
 * an analysis, so the validated documents are kept in dist/.rules-cache.<bundle>.json, keyed by every
 * file's name, size and modification time and by this code's own file (a new build validates again); any
 * change parses and validates everything again. One file per bundle: the command line and its analysis
 * threads are two bundles, and with one shared file each overwrote the other's, so every run after a
 * `--threads` run parsed the YAML again. Best effort: a folder that cannot be written (an
 * installed app) just parses each time.
 */
function parsedDocs(
  dir: string,
  files: string[],
): {
  docs: unknown[];
  names: string[];
  errors: string[];
  validated: boolean;
  stamp: string;
  cacheFile: string | null;
} {
  const stamp = JSON.stringify([
    codeStamp(),
    files.map((f) => {
      const st = statSync(join(dir, f));
      return [f, st.size, st.mtimeMs];
    }),
  ]);
  const root = repoRoot();
  const bundle = basename(fileURLToPath(import.meta.url));
  const cacheFile =
    root !== undefined && dir === RULES_DIR ? join(root, 'dist', `.rules-cache.${bundle}.json`) : null;
  if (cacheFile !== null) {
    try {
      const c = JSON.parse(readFileSync(cacheFile, 'utf8')) as ParsedCache;
      if (c.stamp === stamp)
        return { docs: c.docs, names: c.names, errors: [], validated: true, stamp, cacheFile };
    } catch {
      // No cache yet, or a damaged one: parse below.
    }
  }
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
  return { docs, names, errors, validated: false, stamp, cacheFile };
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

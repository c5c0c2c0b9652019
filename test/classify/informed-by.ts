import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RULES_DIR } from '../../src-main/classify/load';
import { PCAPS } from '../helpers/corpus';

/**
 * Which corpus sources (MANIFEST.tsv's source repository) each rule file was written from, as its
 * first line says: `# informed-by: a, b` (the whole file), `a [rule-id, rule-id]` (only those rules of
 * it), or `none` (public specs and vendor facts); and the same for the lookup tables in
 * shared/classify that carry vendor or product facts. The honest score (source-score.ts) leaves out
 * what a source informed when it scores that source's captures.
 */
const LINE = /^(?:#|\/\/) informed-by: *(.+?) *$/;
const ITEM = /^([^,[\]]+?) *(?:\[([^[\]]*)\])?$/;
const ITEMS = /^[^,[\]]+?(?: *\[[^[\]]*\])?(?:, *[^,[\]]+?(?: *\[[^[\]]*\])?)*$/;

/** Source -> the rule ids it informed, or null for the whole file. */
export type Informed = Map<string, string[] | null>;

/**
 * Lookup tables with vendor or product facts, beside the rule files: windows.ts, and the HART
 * manufacturer facts (gathered from vendors' documents, not from a capture) whose names become
 * devices' vendors through the HART-IP dissector.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
export const LOOKUP_TABLES = [
  resolve(ROOT, 'shared', 'classify', 'windows.ts'),
  resolve(ROOT, 'assets', 'registries', 'sources', 'hart-manufacturers.tsv'),
];

/** What a file's first line says (empty for `none`), or null when it has no such line; throws on a malformed one. */
export function informedBy(text: string): Informed | null {
  const m = LINE.exec(text.slice(0, text.indexOf('\n') >>> 0));
  if (m === null) return null;
  const out: Informed = new Map();
  if (m[1] === 'none') return out;
  if (!ITEMS.test(m[1]!)) throw new Error(`informed-by: cannot read '${m[1]}'`);
  // Commas separate sources, and rule ids inside brackets.
  for (const item of m[1]!.match(/[^,[]+(\[[^\]]*\])?/g) ?? []) {
    const x = ITEM.exec(item.trim());
    if (x === null) throw new Error(`informed-by: cannot read '${item.trim()}'`);
    out.set(x[1]!, x[2] === undefined ? null : x[2].split(',').map((r) => r.trim()));
  }
  return out;
}

/**
 * Rule file name -> the sources that informed it, for every rule file in `dir`; throws naming the
 * files without the line (a new rule file must say where it came from, or the score is not honest).
 */
export function ruleFileSources(dir = RULES_DIR): Map<string, Informed> {
  const out = new Map<string, Informed>();
  const missing: string[] = [];
  for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x))) {
    const s = informedBy(readFileSync(join(dir, f), 'utf8'));
    if (s === null) missing.push(f);
    else out.set(f, s);
  }
  if (missing.length > 0)
    throw new Error(
      `${missing.join(', ')}: no '# informed-by: <sources or none>' first line (see assets/rules/README.md)`,
    );
  return out;
}

/** Capture file -> its source repository, from MANIFEST.tsv. */
export function captureSources(): Map<string, string> {
  const rows = readFileSync(join(PCAPS, 'MANIFEST.tsv'), 'utf8').split('\n').filter(Boolean);
  const head = rows[0]!.split('\t');
  const file = head.indexOf('file');
  const repo = head.indexOf('source_repo');
  if (file < 0 || repo < 0) throw new Error('MANIFEST.tsv has no file or source_repo column');
  return new Map(rows.slice(1).map((r) => [r.split('\t')[file]!, r.split('\t')[repo]!]));
}

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CompiledRule } from '../../shared/classify';
import { corpusFiles, groundTruth } from '../helpers/corpus';
import { analyseCapture, classifyAll, scoreCapture, type Unit } from './corpus-score';
import { captureSources, informedBy, LOOKUP_TABLES, ruleFileSources } from './informed-by';

/**
 * The honest score (issue 18 item 5): each source's captures scored twice, with every rule and with
 * the rules written from that source left out (a rule file's `# informed-by:` line), so that what
 * the rules learnt from a capture does not count as generalising to it. Each capture is analysed
 * once; only the classification runs per rule set.
 */
export interface Tally {
  n: number;
  found: number;
  /** Found in the chosen value itself (corpus-score.ts's strict). */
  strict: number;
}

export interface SourceRow {
  source: string;
  captures: number;
  /** Rule files left out for this source: a file's name, or with the count of its rules left out. */
  leftOut: string[];
  all: Tally;
  loso: Tally;
  devices: number;
  untypedAll: number;
  untypedLoso: number;
}

export interface CaptureRow {
  file: string;
  source: string;
  devices: number;
  /** Devices with no type, with every rule and with the source's rules left out. */
  untypedAll: number;
  untypedLoso: number;
}

export interface SourceScore {
  sources: SourceRow[];
  captures: CaptureRow[];
  all: Tally;
  loso: Tally;
  devices: number;
  untypedAll: number;
  untypedLoso: number;
}

function tally(units: Unit[]): Tally {
  return {
    n: units.length,
    found: units.filter((u) => u.found).length,
    strict: units.filter((u) => u.strict).length,
  };
}

const rowIds = (r: CompiledRule): string[] => r.table?.rows.map((x) => x.id) ?? [];

/** A lookup table's rule without the rows a source informed (none left: no rule). */
export function withoutRows(r: CompiledRule, ids: readonly string[]): CompiledRule[] {
  if (r.table === null || !r.table.rows.some((x) => ids.includes(x.id))) return [r];
  const rows = r.table.rows.filter((x) => !ids.includes(x.id));
  if (rows.length === 0) return [];
  const byKey = new Map([...r.table.byKey].filter(([, x]) => !ids.includes(x.id)));
  return [{ ...r, table: { ...r.table, rows, byKey } }];
}

const none = (): Tally => ({ n: 0, found: 0, strict: 0 });

function add(t: Tally, u: Tally): void {
  t.n += u.n;
  t.found += u.found;
  t.strict += u.strict;
}

export async function scoreBySource(rules: readonly CompiledRule[]): Promise<SourceScore> {
  for (const f of LOOKUP_TABLES) {
    const s = informedBy(readFileSync(f, 'utf8'));
    if (s === null || s.size > 0)
      throw new Error(
        `${f}: a lookup table must say '// informed-by: none' on its first line (leaving a table out is not supported)`,
      );
  }
  const informed = ruleFileSources();
  const sourceOf = captureSources();
  // Every rule id a line names must be a rule of that file: a misspelt one would leave nothing out.
  for (const [file, inf] of informed)
    for (const [source, ids] of inf)
      for (const id of ids ?? [])
        if (!rules.some((r) => basename(r.file ?? '') === file && (r.id === id || rowIds(r).includes(id))))
          throw new Error(
            `${file}: informed-by names ${id} (for ${source}), which is no rule or lookup row of that file`,
          );
  const ruleSets = new Map<string, { rules: readonly CompiledRule[]; leftOut: string[] }>();
  const rulesFor = (source: string) => {
    let r = ruleSets.get(source);
    if (r === undefined) {
      const kept = rules.flatMap((x) => {
        const ids = informed.get(basename(x.file ?? ''))?.get(source);
        if (ids === undefined) return [x];
        if (ids === null || ids.includes(x.id)) return [];
        return withoutRows(x, ids);
      });
      const leftOut = [...informed]
        .filter(([, inf]) => inf.has(source))
        .map(([f, inf]) => (inf.get(source) === null ? f : `${f} (${inf.get(source)!.length})`));
      const same = kept.length === rules.length && kept.every((x, i) => x === rules[i]);
      r = { rules: same ? rules : kept, leftOut };
      ruleSets.set(source, r);
    }
    return r;
  };
  const bySource = new Map<string, SourceRow>();
  const captures: CaptureRow[] = [];
  const files = new Set(corpusFiles());
  for (const gt of groundTruth()) {
    if (!files.has(gt.file)) continue;
    const source = sourceOf.get(gt.file) ?? 'unknown';
    const set = rulesFor(source);
    const x = await analyseCapture(gt.file);
    const all = classifyAll(x, rules);
    const loso = set.rules === rules ? all : classifyAll(x, set.rules);
    const row = bySource.get(source) ?? {
      source,
      captures: 0,
      leftOut: set.leftOut,
      all: none(),
      loso: none(),
      devices: 0,
      untypedAll: 0,
      untypedLoso: 0,
    };
    row.captures++;
    add(row.all, tally(scoreCapture(gt, all)));
    add(row.loso, tally(scoreCapture(gt, loso)));
    bySource.set(source, row);
    const untyped = (c: typeof all) => [...c.byId.values()].filter((k) => k.type.value === null).length;
    const cap = {
      file: gt.file,
      source,
      devices: all.byId.size,
      untypedAll: untyped(all),
      untypedLoso: untyped(loso),
    };
    captures.push(cap);
    row.devices += cap.devices;
    row.untypedAll += cap.untypedAll;
    row.untypedLoso += cap.untypedLoso;
  }
  const sources = [...bySource.values()].sort(
    (a, b) => b.all.n - a.all.n || a.source.localeCompare(b.source),
  );
  const total = (k: 'all' | 'loso') => {
    const t = none();
    for (const s of sources) add(t, s[k]);
    return t;
  };
  const sum = (k: 'devices' | 'untypedAll' | 'untypedLoso') => captures.reduce((n, c) => n + c[k], 0);
  return {
    sources,
    captures,
    all: total('all'),
    loso: total('loso'),
    devices: sum('devices'),
    untypedAll: sum('untypedAll'),
    untypedLoso: sum('untypedLoso'),
  };
}

const pct = (t: Tally, k: 'found' | 'strict' = 'found') =>
  t.n === 0 ? '-' : `${((100 * t[k]) / t.n).toFixed(1)} %`;
const share = (k: number, n: number) => (n === 0 ? '-' : `${Math.round((100 * k) / n)} %`);

/** The per-source table, then the per-capture share of devices with no type. */
export function formatScore(s: SourceScore): string[] {
  const lines = [
    [
      'source',
      'captures',
      'units',
      'found',
      'found, left out',
      'strict',
      'strict, left out',
      'devices',
      'no type',
      'no type, left out',
      'left out: rule files (or n rules of them)',
    ].join('\t'),
  ];
  const row = (name: string, captures: number, r: Omit<SourceRow, 'source' | 'captures'>, leftOut: string) =>
    [
      name,
      captures,
      r.all.n,
      pct(r.all),
      pct(r.loso),
      pct(r.all, 'strict'),
      pct(r.loso, 'strict'),
      r.devices,
      share(r.untypedAll, r.devices),
      share(r.untypedLoso, r.devices),
      leftOut,
    ].join('\t');
  for (const r of s.sources) lines.push(row(r.source, r.captures, r, r.leftOut.join(', ') || '-'));
  lines.push(row('overall', s.captures.length, { ...s, leftOut: [] }, ''));
  lines.push('', ['capture', 'source', 'devices', 'no type', 'no type, left out'].join('\t'));
  for (const c of s.captures)
    lines.push(
      [c.file, c.source, c.devices, share(c.untypedAll, c.devices), share(c.untypedLoso, c.devices)].join(
        '\t',
      ),
    );
  return lines;
}

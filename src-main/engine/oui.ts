import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { repoRoot } from '../native/load-native';

/**
 * MAC prefix -> vendor, from the IEEE registries (MA-L, MA-M, MA-S) as packaged by `oui-data`,
 * loaded on first use. Longest prefix wins. The build writes the registry's prefixes and names as
 * sorted lines (dist/oui.tsv, see scripts/build.mjs): reading those costs a few milliseconds where
 * parsing the package's 5.6 MB of JSON (postal addresses included) cost 60 and 20 MB of heap.
 */
interface Registry {
  /** Sorted prefixes (6, 7 or 9 hex digits) and, at the same index, the organisation line. */
  keys: string[];
  names: string[];
}

let registry: Registry | null = null;
const cache = new Map<string, string | null>();

function ouiVersion(req: NodeRequire): string {
  // The package exports only its JSON; its package.json sits beside it.
  const pkg = join(dirname(req.resolve('oui-data')), 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** dist/oui.tsv when it was built from the installed oui-data, else null. */
function fromIndex(req: NodeRequire): Registry | null {
  const root = repoRoot();
  if (root === undefined) return null;
  let text: string;
  try {
    text = readFileSync(join(root, 'dist', 'oui.tsv'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines[0] !== `# oui-data ${ouiVersion(req)}`) return null;
  const keys: string[] = [];
  const names: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const tab = l.indexOf('\t');
    if (tab < 0) continue;
    keys.push(l.slice(0, tab));
    names.push(l.slice(tab + 1));
  }
  return { keys, names };
}

function fromPackage(req: NodeRequire): Registry {
  const table = req('oui-data') as Record<string, string>;
  const keys = Object.keys(table).sort();
  return { keys, names: keys.map((k) => table[k]!.split('\n', 1)[0]!) };
}

function load(): Registry {
  const req = createRequire(import.meta.url);
  return fromIndex(req) ?? fromPackage(req);
}

function find(r: Registry, key: string): string | undefined {
  let lo = 0;
  let hi = r.keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = r.keys[mid]!;
    if (k === key) return r.names[mid];
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

export function vendorOf(mac: number): string | null {
  if (mac < 0) return null;
  registry ??= load();
  const hex = mac.toString(16).toUpperCase().padStart(12, '0');
  const raw = find(registry, hex.slice(0, 9)) ?? find(registry, hex.slice(0, 7)) ?? find(registry, hex.slice(0, 6));
  if (raw === undefined) return null;
  let name = cache.get(raw);
  if (name === undefined) {
    // Some registry names end in a stray comma.
    name = raw.trim().replace(/[\s,]+$/, '') || null;
    cache.set(raw, name);
  }
  return name;
}

/** For tests: which source the registry came from (index or package), loading it if needed. */
export function ouiSource(): { entries: number } {
  registry ??= load();
  return { entries: registry.keys.length };
}

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
  /** Entries, sorted by prefix (6, 7 or 9 hex digits). */
  size: number;
  key(i: number): string;
  name(i: number): string;
}

let registry: Registry | null = null;
const cache = new Map<string, string | null>();

function ouiVersion(req: NodeRequire): string {
  // The package exports only its JSON; its package.json sits beside it.
  const pkg = join(dirname(req.resolve('oui-data')), 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/**
 * dist/oui.tsv when it was built from the installed oui-data, else null. Only the line starts are
 * indexed; a lookup reads the few lines its binary search visits.
 */
function fromIndex(req: NodeRequire): Registry | null {
  const root = repoRoot();
  if (root === undefined) return null;
  let text: string;
  try {
    text = readFileSync(join(root, 'dist', 'oui.tsv'), 'utf8');
  } catch {
    return null;
  }
  const first = text.indexOf('\n');
  if (first < 0 || text.slice(0, first) !== `# oui-data ${ouiVersion(req)}`) return null;
  const starts: number[] = [];
  for (let at = first + 1; at < text.length;) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    if (end > at) starts.push(at);
    at = end + 1;
  }
  const tab = (i: number) => text.indexOf('\t', starts[i]!);
  return {
    size: starts.length,
    key: (i) => text.slice(starts[i]!, tab(i)),
    name: (i) => {
      const nl = text.indexOf('\n', starts[i]!);
      return text.slice(tab(i) + 1, nl < 0 ? text.length : nl);
    },
  };
}

function fromPackage(req: NodeRequire): Registry {
  const table = req('oui-data') as Record<string, string>;
  const keys = Object.keys(table).sort();
  return { size: keys.length, key: (i) => keys[i]!, name: (i) => table[keys[i]!]!.split('\n', 1)[0]! };
}

function load(): Registry {
  const req = createRequire(import.meta.url);
  return fromIndex(req) ?? fromPackage(req);
}

function find(r: Registry, key: string): string | undefined {
  let lo = 0;
  let hi = r.size - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = r.key(mid);
    if (k === key) return r.name(mid);
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

export function vendorOf(mac: number): string | null {
  if (mac < 0) return null;
  registry ??= load();
  const hex = mac.toString(16).toUpperCase().padStart(12, '0');
  const raw =
    find(registry, hex.slice(0, 9)) ?? find(registry, hex.slice(0, 7)) ?? find(registry, hex.slice(0, 6));
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
  return { entries: registry.size };
}

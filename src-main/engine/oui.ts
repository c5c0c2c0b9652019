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
  /** Entries (for tests). */
  size(): number;
  /** The organisation registered for a prefix of 6, 7 or 9 upper-case hex digits. */
  find(key: string): string | undefined;
  /** Whether a longer prefix (an MA-M or MA-S block) starts with these 6 digits. */
  split(oui: string): boolean;
}

let registry: Registry | null = null;
const cache = new Map<string, string | null>();
/**
 * Per 24-bit OUI, its vendor (null: none) where no longer block splits it, so every MAC under it
 * has that vendor; SPLIT where one does (those MACs are looked up in full). A console names a
 * million MACs under a few hundred OUIs: one lookup each instead of three binary searches a MAC.
 */
const byOui = new Map<number, string | null | typeof SPLIT>();
const SPLIT = 1;
const MAX_OUIS = 65536;

function ouiVersion(req: NodeRequire): string {
  // The package exports only its JSON; its package.json sits beside it.
  return versionAt(join(dirname(req.resolve('oui-data')), 'package.json'))!;
}

/** The version a package.json states, or null where it cannot be read. */
function versionAt(pkg: string): string | null {
  try {
    const v = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

const TAB = 9;
const LF = 10;

/** -1, 0, 1 as the ASCII bytes [s, e) sort before, equal or after `key`. */
function compareKey(b: Buffer, s: number, e: number, key: string): number {
  const n = e - s < key.length ? e - s : key.length;
  for (let i = 0; i < n; i++) {
    const d = b[s + i]! - key.charCodeAt(i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return e - s === key.length ? 0 : e - s < key.length ? -1 : 1;
}

/**
 * dist/oui.tsv when it was built from the installed oui-data, else null. The sorted lines are
 * binary-searched as bytes where they lie: nothing is decoded or indexed up front (that cost 12 ms,
 * on every run), only the organisation found.
 */
function fromIndex(req: NodeRequire): Registry | null {
  const root = repoRoot();
  if (root === undefined) return null;
  let b: Buffer;
  try {
    b = readFileSync(join(root, 'dist', 'oui.tsv'));
  } catch {
    return null;
  }
  const first = b.indexOf(LF);
  // `# oui-data VERSION PATH`: the installed package's version, read from PATH (its package.json, from
  // the package root) where the build found it; resolving the package instead took 2 ms a run.
  const head = /^# oui-data (\S+)(?: (.+))?$/.exec(first < 0 ? '' : b.toString('utf8', 0, first));
  if (head === null) return null;
  const installed = (head[2] !== undefined ? versionAt(join(root, head[2])) : null) ?? ouiVersion(req);
  if (head[1] !== installed) return null;
  const body = first + 1;
  /** The end of the key and of the line that starts at `s` (within [s, hi)). */
  const line = (s: number, hi: number): [number, number] => {
    const nl = b.indexOf(LF, s);
    const end = nl < 0 || nl > hi ? hi : nl;
    const tab = b.indexOf(TAB, s);
    return [tab < 0 || tab > end ? end : tab, end];
  };
  /** The start of the first line whose key does not sort before `key` (b.length: none). */
  const lowerBound = (key: string): number => {
    // [lo, hi) is a range of whole lines; each step looks at the line around the middle.
    let lo = body;
    let hi = b.length;
    while (lo < hi) {
      let s = (lo + hi) >>> 1;
      while (s > lo && b[s - 1] !== LF) s--;
      const [keyEnd, end] = line(s, hi);
      if (compareKey(b, s, keyEnd, key) < 0) lo = end + 1;
      else hi = s;
    }
    return lo;
  };
  return {
    size() {
      let n = 0;
      for (let at = body; at < b.length; at = b.indexOf(LF, at) + 1 || b.length) n++;
      return n;
    },
    find(key) {
      const s = lowerBound(key);
      if (s >= b.length) return undefined;
      const [keyEnd, end] = line(s, b.length);
      if (compareKey(b, s, keyEnd, key) !== 0) return undefined;
      return keyEnd < end ? b.toString('utf8', keyEnd + 1, end) : '';
    },
    split(oui) {
      // Longer keys under `oui` sort right after it: is the first line from oui + '0' one of them?
      const s = lowerBound(oui + '0');
      return s < b.length && line(s, b.length)[0] - s > 6 && compareKey(b, s, s + 6, oui) === 0;
    },
  };
}

function fromPackage(req: NodeRequire): Registry {
  // The package's own table, keyed by prefix; each value is the organisation, then its address lines.
  const table = req('oui-data') as Record<string, string>;
  let split: Set<string> | undefined;
  return {
    size: () => Object.keys(table).length,
    find: (key) => (Object.hasOwn(table, key) ? table[key]!.split('\n', 1)[0]! : undefined),
    split: (oui) => {
      split ??= new Set(
        Object.keys(table)
          .filter((k) => k.length > 6)
          .map((k) => k.slice(0, 6)),
      );
      return split.has(oui);
    },
  };
}

function load(): Registry {
  const req = createRequire(import.meta.url);
  return fromIndex(req) ?? fromPackage(req);
}

export function vendorOf(mac: number): string | null {
  if (mac < 0) return null;
  registry ??= load();
  const oui = Math.floor(mac / 16777216);
  const known = byOui.get(oui);
  if (known !== undefined && known !== SPLIT) return known;
  const hex = mac.toString(16).toUpperCase().padStart(12, '0');
  if (known === undefined && !registry.split(hex.slice(0, 6))) {
    const v = nameOf(registry.find(hex.slice(0, 6)));
    if (byOui.size < MAX_OUIS) byOui.set(oui, v);
    return v;
  }
  if (known === undefined && byOui.size < MAX_OUIS) byOui.set(oui, SPLIT);
  return nameOf(
    registry.find(hex.slice(0, 9)) ?? registry.find(hex.slice(0, 7)) ?? registry.find(hex.slice(0, 6)),
  );
}

/** A registry's organisation as shown. */
function nameOf(raw: string | undefined): string | null {
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
  return { entries: registry.size() };
}

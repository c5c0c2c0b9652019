import { createRequire } from 'node:module';

/**
 * MAC prefix -> vendor, from the IEEE registries (MA-L, MA-M, MA-S) as packaged by `oui-data`,
 * loaded on first use. Longest prefix wins. The registry's object is used as it is: a lookup is
 * three property reads, and building our own tables would cost more than every lookup of a run.
 */
let table: Record<string, string> | null = null;
const cache = new Map<string, string | null>();

export function vendorOf(mac: number): string | null {
  if (mac < 0) return null;
  table ??= createRequire(import.meta.url)('oui-data') as Record<string, string>;
  const hex = mac.toString(16).toUpperCase().padStart(12, '0');
  const raw = table[hex.slice(0, 9)] ?? table[hex.slice(0, 7)] ?? table[hex.slice(0, 6)];
  if (raw === undefined) return null;
  let name = cache.get(raw);
  if (name === undefined) {
    // First line of the registry entry is the organisation; some end in a stray comma.
    name =
      raw
        .split('\n', 1)[0]!
        .trim()
        .replace(/[\s,]+$/, '') || null;
    cache.set(raw, name);
  }
  return name;
}

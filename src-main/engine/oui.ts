import { createRequire } from 'node:module';

/**
 * MAC prefix -> vendor, from the IEEE registries (MA-L, MA-M, MA-S) as packaged by `oui-data`.
 * Loaded on first use (about 50k entries); longest prefix wins.
 */
let table: { l: Map<number, string>; m: Map<number, string>; s: Map<number, string> } | null = null;

function load() {
  const require = createRequire(import.meta.url);
  const raw = require('oui-data') as Record<string, string>;
  const l = new Map<number, string>();
  const m = new Map<number, string>();
  const s = new Map<number, string>();
  for (const [k, v] of Object.entries(raw)) {
    const name = v.split('\n', 1)[0]!.trim().replace(/[\s,]+$/, '');
    const n = parseInt(k, 16);
    if (k.length === 6) l.set(n, name);
    else if (k.length === 7) m.set(n, name);
    else if (k.length === 9) s.set(n, name);
  }
  return { l, m, s };
}

export function vendorOf(mac: number): string | null {
  if (mac < 0) return null;
  table ??= load();
  return (
    table.s.get(Math.floor(mac / 4096)) ?? table.m.get(Math.floor(mac / 1048576)) ?? table.l.get(Math.floor(mac / 16777216)) ?? null
  );
}

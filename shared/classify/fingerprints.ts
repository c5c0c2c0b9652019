import type { Inventory } from '../inventory/inventory';
import { classify } from './classify';
import type { CompiledRule } from './compile';
import { factsOf, peerIndex } from './facts';
import { byKind, matchRule } from './match';

/** One fingerprint seen on the network, with the devices that sent it and the rules that know it. */
export interface FingerprintRow {
  scheme: string;
  value: string;
  /** Times heard, over every device. */
  count: number;
  devices: { id: string; hostname: string | null; vendor: string | null }[];
  /** Rules that used it (empty for unknown fingerprints). */
  rules: string[];
}

const MAX_DEVICES_PER_ROW = 64;

/**
 * Every fingerprint (DHCP, TCP SYN, JA3/JA4, HASSH, ...) the inventory holds, grouped by scheme and
 * value; with `unknownOnly`, only those no rule used: what new rules should be written for.
 */
export function collectFingerprints(
  inv: Inventory,
  rules: readonly CompiledRule[],
  o: { unknownOnly?: boolean } = {},
): FingerprintRow[] {
  const rows = new Map<string, FingerprintRow>();
  const peers = peerIndex(inv);
  for (const d of inv.devices()) {
    const f = factsOf(d, inv, peers);
    if (!f.facts.some((x) => x.kind === 'fingerprint')) continue;
    const c = classify(f, rules);
    const unknown = new Set(c.unmatched.map((u) => u.scheme + '\u0000' + u.value));
    const byRule = new Map<string, string[]>();
    if (o.unknownOnly !== true) {
      // Which fired rules used which fingerprint.
      const facts = byKind(f);
      const fired = new Set(c.fired);
      for (const r of rules) {
        if (!fired.has(r.id) && !(r.table?.rows.some((x) => fired.has(x.id)) ?? false)) continue;
        const m = matchRule(r, f, facts);
        for (const e of m?.evidence ?? []) {
          if (e.fact === undefined) continue;
          const k = e.fact.key + '\u0000' + e.fact.value;
          byRule.set(k, [...(byRule.get(k) ?? []), m!.outcome.id]);
        }
      }
    }
    for (const x of f.facts) {
      if (x.kind !== 'fingerprint') continue;
      const k = x.key + '\u0000' + x.value;
      if (o.unknownOnly === true && !unknown.has(k)) continue;
      let row = rows.get(k);
      if (row === undefined)
        rows.set(k, (row = { scheme: x.key, value: x.value, count: 0, devices: [], rules: [] }));
      row.count += x.count;
      if (row.devices.length < MAX_DEVICES_PER_ROW && !row.devices.some((v) => v.id === d.id))
        row.devices.push({ id: d.id, hostname: c.hostname.value, vendor: c.vendor.value });
      for (const r of byRule.get(k) ?? []) if (!row.rules.includes(r)) row.rules.push(r);
    }
  }
  return [...rows.values()].sort((a, b) =>
    a.scheme < b.scheme ? -1 : a.scheme > b.scheme ? 1 : b.count - a.count || (a.value < b.value ? -1 : 1),
  );
}

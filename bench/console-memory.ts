/**
 * What a sensors console (`serve --nats`) holds at N merged devices, and what its first, full rebuild
 * costs: ten sensors' partials (N/10 crafted devices each, half a DHCP request with a host name, half
 * an ARP announcement) through JSON as the console gets them, merged into one PartialAccumulator at
 * SITES sites; then IncrementalInventory's first rebuild with the console's digest of each device
 * (MergedView), the heap after it, and one device's details with evidence. Not a timed test:
 * `node --expose-gc --import tsx bench/console-memory.ts [N] [SITES] [--checked]` (default 100000 5).
 * `--checked`: each partial through parsePartial as well, as the console checks every delta
 * (shared/sensor/check.ts); its objects are the schema's, not JSON.parse's.
 */
import { createHash } from 'node:crypto';
import { PartialAccumulator, partialOf, parsePartial } from '../shared/inventory/partial';
import { IncrementalInventory } from '../shared/inventory/partial-incremental';
import { loadRules } from '../src-main/classify/load';
import { createAnalyzer } from '../src-main/engine/pipeline';
import { vendorOf } from '../src-main/engine/oui';
import { hostFrame } from './crafted-hosts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(args[0] ?? 100_000);
const SITES = Number(args[1] ?? 5);
const CHECKED = process.argv.includes('--checked');
const SENSORS = 10;

const acc = new PartialAccumulator();
for (let s = 0; s < SENSORS; s++) {
  const a = createAnalyzer();
  for (let d = 0; d < N / SENSORS; d++) {
    const f = hostFrame(s, d);
    a.frame(f, 1, 1.7e9 + d / 1000, f.length, 0);
  }
  const p = partialOf(a.inventory, { site: `site${s % SITES}`, sensor: `s${s}` });
  const text = JSON.stringify(p);
  if (!CHECKED) acc.add(JSON.parse(text) as typeof p);
  else {
    const r = parsePartial(text);
    if (!r.ok) throw new Error(r.reason);
    acc.add(r.partial);
  }
}
const mb = (x: number) => Math.round(x / 2 ** 20);
const heap = () => {
  globalThis.gc?.();
  return mb(process.memoryUsage().heapUsed);
};
const h0 = heap();
console.log(`${N} devices at ${SITES} sites${CHECKED ? ', checked' : ''}: the merge ${h0} MiB of heap`);
const inc = new IncrementalInventory(acc, { rules: loadRules(), vendorOf, identity: false });
let t = performance.now();
const ch = inc.rebuild();
const shown = new Map<string, number>();
for (const d of ch.devices)
  shown.set(d.id, createHash('sha1').update(JSON.stringify(d)).digest().readUIntBE(0, 6));
const ms = Math.round(performance.now() - t);
const h1 = heap();
console.log(
  `first (full) rebuild and digests: ${ms} ms for ${ch.devices.length} devices; heap ${h1} MiB (+${h1 - h0})`,
);
t = performance.now();
const one = inc.details(ch.devices[0]!.id, { evidence: true, identity: true });
console.log(
  `one device's details: ${Math.round(performance.now() - t)} ms (${one?.evidence?.length ?? 0} evidence entries)`,
);
console.log(`peak resident ${mb(process.resourceUsage().maxRSS * 1024)} MiB`);

/**
 * The console's incremental rebuild (shared/inventory/partial-incremental.ts) where a router's shares
 * move in the merge: a routed capture split between two sensors at one site (the first CUT frames to
 * one, the rest to the other, each numbering frames on from where it starts), neither of which sees
 * enough of the gateway's addresses to call it a router as early as the merge does, so facts,
 * protocols and edge parts they kept by address move to the address devices behind it. Each sensor
 * sends a delta every EVERY frames; the console gets them alternately (both sensors read at once) and
 * rebuilds after each, writing out what the rebuild says it changed as the console does. With
 * `--hosts N`, a third sensor at the same site first reports N hosts of its own (ARP, half of them a
 * DHCP request with a hostname), so that a full rebuild costs what a site of that size costs.
 *
 * `--ref DIR` runs the same deltas through DIR's shared/ as well (another checkout, e.g. /work/main),
 * alternately with this one, run by run, and prints both: rebuilds full and incremental (full by
 * why), and the total rebuild time per run with the median over runs. Not a timed test:
 * `node --expose-gc --import tsx bench/shares-rebuild.ts [--ref DIR] [--hosts N] [--runs R] [FILE:CUT:EVERY...]`
 * (captures in ../shared/pcaps; default teams cut at 154 and wikipedia at 41).
 */
import { join, resolve } from 'node:path';
import { analyzerPartial } from '../shared/engine/analyzer-partial';
import {
  partialMarker,
  partialOf,
  type PartialInventory,
  type PartialMarker,
} from '../shared/inventory/partial';
import { readCaptureFile } from '../src-main/capture/file-source';
import { loadRules } from '../src-main/classify/load';
import { createAnalyzer } from '../src-main/engine/pipeline';
import { vendorOf } from '../src-main/engine/oui';
import { PCAPS } from '../test/helpers/corpus';
import { dhcpRequestFrame } from '../test/helpers/dhcp-frames';
import { arp, ethernet } from '../test/helpers/packets';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const ref = flag('--ref');
const hosts = Number(flag('--hosts') ?? 0);
const runs = Number(flag('--runs') ?? 5);
const cases = (
  args.length > 0
    ? args
    : ['multi-lan-mixed__ndpi__teams.pcap:154:20', 'multi-lan-mixed__zeek__wikipedia.pcap:41:4']
).map((a) => {
  const [file, cut, every] = a.split(':');
  return { file: file!, cut: Number(cut), every: Number(every) };
});

/** A partial as the console gets it: through JSON. */
const wire = <T>(p: T): T => JSON.parse(JSON.stringify(p)) as T;

/** A sensor's deltas over frames [from, to) of a capture, one every `every` frames. */
async function deltas(file: string, sensor: string, every: number, [from, to]: [number, number]) {
  const a = createAnalyzer();
  const out: PartialInventory[] = [];
  let mark: PartialMarker | undefined;
  let i = 0;
  let n = 0;
  a.beginSource(from);
  await readCaptureFile(join(PCAPS, file), {
    records: (buf, s, e, h) => {
      if (n++ < from || n > to) return;
      a.record(buf, s, e, h);
      if (++i % every === 0) {
        out.push(wire(analyzerPartial(a, { site: 'hq', sensor }, { since: mark })));
        mark = partialMarker(a.inventory);
      }
    },
  });
  out.push(wire(analyzerPartial(a, { site: 'hq', sensor }, { since: mark })));
  return out;
}

/** N hosts of a third sensor at the same site (its MACs its own, addresses in 10.200/16). */
function background(n: number): PartialInventory {
  const a = createAnalyzer();
  const hex2 = (x: number) => (x & 255).toString(16).padStart(2, '0');
  for (let d = 0; d < n; d++) {
    const mac = ['02', 'bb', hex2(d >> 16), hex2(d >> 8), hex2(d), '01'].join(':');
    const ip = `10.200.${(d >> 8) & 255}.${d & 255}`;
    const f =
      d % 2 === 0
        ? dhcpRequestFrame({ mac, ip }, `host-${d}`, d + 1)
        : ethernet('ff:ff:ff:ff:ff:ff', mac, 0x0806, arp(1, mac, ip, '00:00:00:00:00:00', ip));
    a.frame(f, 1, 1_600_000_000 + d / 1000, f.length, 0);
  }
  return wire(partialOf(a.inventory, { site: 'hq', sensor: 'hosts' }));
}

type Lib = {
  name: string;
  Acc: typeof import('../shared/inventory/partial-accumulator').PartialAccumulator;
  Inc: typeof import('../shared/inventory/partial-incremental').IncrementalInventory;
  fromPartial: typeof import('../shared/inventory/partial-inventory').inventoryFromPartial;
};

async function lib(root: string, name: string): Promise<Lib> {
  const at = (f: string) => resolve(root, 'shared/inventory', f);
  return {
    name,
    Acc: (await import(at('partial-accumulator.ts'))).PartialAccumulator,
    Inc: (await import(at('partial-incremental.ts'))).IncrementalInventory,
    fromPartial: (await import(at('partial-inventory.ts'))).inventoryFromPartial,
  };
}

const rules = loadRules();
const opts = { rules, vendorOf, identity: false };
const text = (inv: { generatedAt: string }) => JSON.stringify({ ...inv, generatedAt: '' });

/** One run: the background (if any) and a first rebuild, then every delta merged and rebuilt. */
function run(l: Lib, base: PartialInventory | null, all: PartialInventory[]) {
  const acc = new l.Acc();
  const inc = new l.Inc(acc, opts);
  if (base !== null) acc.add(base);
  inc.rebuild();
  const [full0, partial0] = [inc.full, inc.partial];
  let ms = 0;
  for (const p of all) {
    acc.add(p);
    globalThis.gc?.();
    const t = performance.now();
    const ch = inc.rebuild();
    for (const x of [...ch.devices, ...ch.edges]) JSON.stringify(x);
    ms += performance.now() - t;
  }
  const same = text(inc.inventory()) === text(l.fromPartial(acc.partial(), opts));
  const why = (inc as unknown as { fullBecause: Record<string, number> }).fullBecause;
  return {
    ms,
    full: inc.full - full0,
    partial: inc.partial - partial0,
    why: { ...why },
    same,
    devices: inc.size,
  };
}

const libs = [await lib(resolve(import.meta.dirname, '..'), 'this tree')];
if (ref !== undefined) libs.unshift(await lib(ref, ref));
const base = hosts > 0 ? background(hosts) : null;
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
for (const { file, cut, every } of cases) {
  const a = await deltas(file, 'first', every, [0, cut]);
  const b = await deltas(file, 'second', every, [cut, Infinity]);
  // Alternately, as two sensors reading at once send them.
  const all: PartialInventory[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    all.push(...[a[i], b[i]].filter((p) => p !== undefined));
  const times = libs.map(() => [] as number[]);
  const last: ReturnType<typeof run>[] = [];
  for (let r = 0; r < runs; r++)
    libs.forEach((l, i) => {
      const x = run(l, base, all);
      times[i]!.push(x.ms);
      last[i] = x;
    });
  process.stdout.write(
    `${file} cut at ${cut}, a delta every ${every} frames: ${all.length} deltas` +
      `${hosts > 0 ? `, ${hosts} hosts besides` : ''}\n`,
  );
  libs.forEach((l, i) => {
    const x = last[i]!;
    process.stdout.write(
      `  ${l.name}: ${x.devices} devices; ${x.full} full and ${x.partial} incremental rebuilds after the first ` +
        `(full in all by why ${JSON.stringify(x.why)}); equal to a full rebuild: ${x.same ? 'yes' : 'NO'}; ` +
        `rebuild time per run ${times[i]!.map((t) => Math.round(t)).join(', ')} ms, median ${Math.round(median(times[i]!))} ms\n`,
    );
  });
}

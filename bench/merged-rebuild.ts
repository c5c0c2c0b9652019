/**
 * How long one rebuild of the sensors' console takes (src-main/engine/merged-view.ts: at most one per
 * collection interval, 200 ms, whenever a delta arrived): the merged partial, the inventory made and
 * classified from it, and the comparison with what the UI was last sent (each device as JSON), at N
 * merged devices. Not a timed test: `node --expose-gc --import tsx bench/merged-rebuild.ts [N...]`.
 * Ten sensors at five sites each see N/10 devices of their own (ARP, half of them a DHCP request
 * with a hostname, so rules have facts to classify), as real analyzers make them.
 * Then the incremental rebuild (shared/inventory/partial-incremental.ts) after a delta that touches
 * 1 % of the devices (each of their sensors sees them again, a second later), with what the console
 * does with what it says changed (each device and edge it lists written out to compare with what the
 * UI was sent), and apart from it the whole sorted inventory made when asked (exports, snapshots).
 * Then deltas that touch a router (GP_BENCH_ROUTER_ROUNDS, default 10): each site has a gateway, and
 * every second each sensor sees 20 of its hosts talk through it to remote addresses (10 seen every
 * second, 10 new), so the gateway routes, and every delta touches it and the addresses behind it:
 * deltas merged and rebuilt per second, and how many rebuilds were full (and why).
 *
 * `bench/merged-rebuild.ts --checkpoint [S...]` (default 10 50 100): the console's checkpoint instead,
 * at S sensors of 10 000 devices each (a site each), on a real store (a temporary SQLite file): the
 * first one (every record), then per checkpoint after a round in which every sensor sees 1 % of its
 * devices again, its cost in ms and bytes as the checkpoint is now (the records changed, as rows:
 * src-main/store/checkpoint-records.ts) and as it was before (the whole merged partial as one JSON
 * meta value), both in a transaction of their own; and the restore from the rows (those that match
 * their sums read as written, any other checked in full: src-main/store/checkpoint-sum.ts).
 */
import {
  inventoryFromPartial,
  PartialAccumulator,
  partialDeviceIds,
  partialOf,
} from '../shared/inventory/partial';
import { IncrementalInventory } from '../shared/inventory/partial-incremental';
import { loadRules } from '../src-main/classify/load';
import { createAnalyzer } from '../src-main/engine/pipeline';
import { vendorOf } from '../src-main/engine/oui';
import { udpFrame } from '../test/helpers/packets';
import { hex2, hostFrame, ipOf, macOf } from './crafted-hosts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src-main/store/store';
import { loadRecords, saveRecords } from '../src-main/store/checkpoint-records';

const SENSORS = 10;

/** A partial as the console gets it: through JSON (its strings flat and its own, not the analyzer's). */
const wire = <T>(p: T): T => JSON.parse(JSON.stringify(p)) as T;

/** Each sensor's partial of devices [from, to) of its own, seen at `t` s. */
function sensorPartials(n: number, from: number, to: number, t: number) {
  return partialsOf([0, SENSORS], Math.ceil(n / SENSORS), from, to, t, (s) => `site${s % 5}`);
}

/**
 * The partials of sensors [s0, s1) that see `per` devices each: those in [from, to), at `t` s. A
 * sensor's MACs are its own (its number is in them), its addresses repeat at other sensors'.
 */
function partialsOf(
  [s0, s1]: [number, number],
  per: number,
  from: number,
  to: number,
  t: number,
  siteOf: (sensor: number) => string,
) {
  const out = [];
  for (let s = s0; s < s1; s++) {
    const a = createAnalyzer();
    for (let d = Math.floor(from * per); d < Math.min(per, Math.ceil(to * per)); d++) {
      const f = hostFrame(s, d);
      a.frame(f, 1, t + d / 1000, f.length, 0);
    }
    out.push(wire(partialOf(a.inventory, { site: siteOf(s), sensor: `s${s}` })));
  }
  return out;
}

/** Each sensor's delta of second `round`: 20 of its hosts and remote addresses through its site's gateway. */
function routerPartials(n: number, round: number, t: number) {
  const per = Math.ceil(n / SENSORS);
  const out = [];
  for (let s = 0; s < SENSORS; s++) {
    const a = createAnalyzer();
    const gw = `02:ff:00:00:00:${hex2(s % 5)}`;
    for (let i = 0; i < 20; i++) {
      const d = (round * 20 + i) % per;
      const host = { mac: macOf(s, d), ip: ipOf(d + 1), port: 40000 + i };
      // Ten remote addresses every second, ten new ones.
      const far =
        i < 10 ? `198.51.${s}.${i + 1}` : `203.${s}.${(round >> 8) & 255}.${((round * 10 + i) & 255) + 1}`;
      const remote = { mac: gw, ip: far, port: 53 };
      const at = t + i / 1000;
      for (const f of [udpFrame(host, remote, new Uint8Array(4)), udpFrame(remote, host, new Uint8Array(8))])
        a.frame(f, 1, at, f.length, 0);
    }
    out.push(wire(partialOf(a.inventory, { site: `site${s % 5}`, sensor: `s${s}` })));
  }
  return out;
}

function merged(n: number): PartialAccumulator {
  const acc = new PartialAccumulator();
  for (const p of sensorPartials(n, 0, 1, Date.now() / 1000)) acc.add(p);
  return acc;
}

const ms = (t0: number) => Math.round(performance.now() - t0);

if (process.argv[2] === '--checkpoint') {
  const counts = process.argv.slice(3).map(Number);
  for (const sensors of counts.length > 0 ? counts : [10, 50, 100]) checkpointCost(sensors);
  process.exit(0);
}

/** The checkpoint's cost at `sensors` sensors of 10 000 devices, now and as it was (see the top). */
function checkpointCost(sensors: number): void {
  const PER = 10_000;
  const siteOf = (s: number) => `site${s}`;
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-checkpoint-'));
  const store = new Store(join(dir, 'console.db'));
  const acc = new PartialAccumulator({ unsaved: true });
  const rows: string[] = [];
  try {
    const t0 = Date.now() / 1000;
    // Ten sensors' partials at a time: what they hold is merged, not kept.
    for (let s = 0; s < sensors; s += 10)
      for (const p of partialsOf([s, Math.min(s + 10, sensors)], PER, 0, 1, t0, siteOf)) acc.add(p);
    const seqs = Object.fromEntries(Array.from({ length: sensors }, (_, s) => [siteOf(s), 1000]));
    let n = 0;
    /** The bytes of the first checkpoint: every record. */
    let whole = 0;
    /** The checkpoint now: the records changed since the last one, as rows. */
    const now = () => {
      globalThis.gc?.();
      const t = performance.now();
      const meta = JSON.stringify({ v: 2, seqs, created: {}, n: ++n });
      const unsaved = acc.unsaved();
      const w = store.db.transaction(() => {
        store.setMeta('sites.checkpoint', meta);
        return saveRecords(store.checkpoint, acc, unsaved, n);
      })();
      const bytes = meta.length + w.bytes;
      whole ||= bytes;
      return `${ms(t)} ms, ${mb(bytes)} in ${w.rows} rows`;
    };
    /** The checkpoint before: the whole merged partial as one JSON meta value. */
    const before = () => {
      globalThis.gc?.();
      const t = performance.now();
      try {
        const text = JSON.stringify({ v: 1, seqs, created: {}, partial: acc.partial() });
        store.db.transaction(() => store.setMeta('sites.checkpoint.v1', text))();
        return `${ms(t)} ms, ${mb(text.length)}`;
      } catch (e) {
        return `not written after ${ms(t)} ms (${(e as Error).message}: the merge's JSON is ${mb(whole)})`;
      }
    };
    rows.push(`first checkpoint (every record): ${now()}`);
    for (let r = 0; r < Number(process.env.GP_BENCH_ROUNDS ?? 3); r++) {
      for (let s = 0; s < sensors; s += 10)
        for (const p of partialsOf(
          [s, Math.min(s + 10, sensors)],
          PER,
          r / 100,
          (r + 1) / 100,
          t0 + 5 * (r + 1),
          siteOf,
        ))
          acc.add(p);
      rows.push(`after 1 % of every sensor's devices changed: now ${now()}; before ${before()}`);
      store.setMeta('sites.checkpoint.v1', '');
    }
    globalThis.gc?.();
    const t = performance.now();
    const back = new PartialAccumulator();
    const unsummed = [...loadRecords(store.checkpoint, back).values()].reduce(
      (n, keys) => n + keys.length,
      0,
    );
    rows.push(`restore from the rows: ${ms(t)} ms (${back.size} devices, ${unsummed} rows checked in full)`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  process.stdout.write(`${sensors} sensors, ${acc.size} devices (rss ${rss} MiB)\n  ${rows.join('\n  ')}\n`);
}

function mb(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

// GP_BENCH_NO_RULES=1: the same without classification, to see its share.
const rules = process.env.GP_BENCH_NO_RULES === '1' ? [] : loadRules();
const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length > 0 ? sizes : [10_000, 100_000]) {
  const acc = merged(n);
  const rows: string[] = [];
  // The first rebuild warms the JIT; the next ones are what a console pays on each change.
  for (let i = 0; i < Number(process.env.GP_BENCH_ROUNDS ?? 4); i++) {
    globalThis.gc?.();
    let t = performance.now();
    const p = acc.partial();
    const tPartial = ms(t);
    t = performance.now();
    const inv = inventoryFromPartial(p, { rules, vendorOf, evidence: false, identity: false });
    const tInventory = ms(t);
    t = performance.now();
    partialDeviceIds(p);
    const shown = new Map<string, string>();
    for (const d of inv.devices) shown.set(d.id, JSON.stringify(d));
    for (const e of inv.edges) JSON.stringify(e);
    const tDiff = ms(t);
    rows.push(
      `${inv.devices.length} devices: partial ${tPartial} ms, inventory ${tInventory} ms, ids+diff ${tDiff} ms, ` +
        `total ${tPartial + tInventory + tDiff} ms`,
    );
  }
  // Incremental: the first rebuild is full; then deltas touching 1 % of the devices each.
  const inc = new IncrementalInventory(acc, { rules, vendorOf, identity: false });
  globalThis.gc?.();
  let t = performance.now();
  inc.rebuild();
  rows.push(`incremental, first (full) rebuild: ${ms(t)} ms`);
  for (let i = 0; i < Number(process.env.GP_BENCH_ROUNDS ?? 4); i++) {
    const deltas = sensorPartials(n, i / 100, (i + 1) / 100, Date.now() / 1000 + 1 + i);
    globalThis.gc?.();
    t = performance.now();
    for (const p of deltas) acc.add(p);
    const tAdd = ms(t);
    t = performance.now();
    const ch = inc.rebuild();
    for (const x of [...ch.devices, ...ch.edges]) JSON.stringify(x);
    const tRebuild = ms(t);
    t = performance.now();
    const whole = inc.inventory();
    rows.push(
      `incremental after a 1 % delta: merge ${tAdd} ms, rebuild ${tRebuild} ms (${ch.devices.length} of ` +
        `${whole.devices.length} devices listed, ${inc.full} full and ${inc.partial} incremental rebuilds so far); ` +
        `the whole inventory then ${ms(t)} ms`,
    );
  }
  // Deltas that touch each site's gateway (a router) every second.
  const rounds = Number(process.env.GP_BENCH_ROUTER_ROUNDS ?? 10);
  const [full0, partial0] = [inc.full, inc.partial];
  let rebuildMs = 0;
  let addMs = 0;
  let listed = 0;
  for (let r = 0; r < rounds; r++) {
    const deltas = routerPartials(n, r, Date.now() / 1000 + 10 + r);
    globalThis.gc?.();
    t = performance.now();
    for (const p of deltas) acc.add(p);
    addMs += performance.now() - t;
    t = performance.now();
    const ch = inc.rebuild();
    for (const x of [...ch.devices, ...ch.edges]) JSON.stringify(x);
    rebuildMs += performance.now() - t;
    listed += ch.devices.length;
  }
  // Still what a full rebuild gives (generatedAt aside).
  const text = (inv: { generatedAt: string }) => JSON.stringify({ ...inv, generatedAt: '' });
  const same =
    rounds === 0 ||
    text(inc.inventory()) === text(inventoryFromPartial(acc.partial(), { rules, vendorOf, identity: false }));
  // Read loosely: the same bench runs against an IncrementalInventory without these counters.
  const more = inc as unknown as { routed?: number; fullBecause?: Record<string, number> };
  const secs = (addMs + rebuildMs) / 1000;
  rows.push(
    `router deltas: ${rounds} rounds of ${SENSORS} deltas, merge ${Math.round(addMs / rounds)} ms and ` +
      `rebuild ${Math.round(rebuildMs / rounds)} ms a round (${Math.round(listed / rounds)} devices listed), ` +
      `${((rounds * SENSORS) / secs).toFixed(1)} deltas/s; ` +
      `${inc.full - full0} full and ${inc.partial - partial0} incremental rebuilds ` +
      `(${more.routed ?? '?'} incremental with routers so far; full so far by reason ${JSON.stringify(more.fullBecause ?? null)}); ` +
      `equal to a full rebuild: ${same ? 'yes' : 'NO'}`,
  );
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  process.stdout.write(`N=${n} (rss ${rss} MiB)\n  ${rows.join('\n  ')}\n`);
}

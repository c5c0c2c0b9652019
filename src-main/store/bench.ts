// Benchmark: a synthetic network through the analyzer, with and without the store.
//   node --expose-gc --import tsx src-main/store/bench.ts [devices=100000] [edges=1000000] [--no-store] [--db FILE]
// Prints time, peak memory (RSS from the OS, JS heap sampled) and the database size.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer } from '../engine/pipeline';
import { Recorder } from './recorder';
import { Store } from './store';
import { ETHERNET, feedSynthetic, syntheticFrameCount } from './synthetic';

const args = process.argv.slice(2);
const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
const devices = nums[0] ?? 100_000;
const edges = nums[1] ?? 1_000_000;
const withStore = !args.includes('--no-store');
const dbArg = args.indexOf('--db');
const dir = mkdtempSync(join(tmpdir(), 'gp-bench-'));
const dbPath = dbArg >= 0 ? args[dbArg + 1]! : join(dir, 'bench.db');

const o = { devices, edges };
const total = syntheticFrameCount(o);
const a = createAnalyzer();
const store = withStore ? new Store(dbPath) : null;
const rec = store !== null ? new Recorder(a, store, { learnMs: 0 }) : null;
let heapPeak = 0;
let liveMax = 0;
const gc = (globalThis as { gc?: () => void }).gc;
let ticks = 0;
let commitMs = 0;
let lastTick = Date.now();
const started = Date.now();
const CHUNK = 10_000;
a.beginSource();
for (let i = 0; i < total; i += CHUNK) {
  feedSynthetic(o, (f, ts) => a.frame(f, ETHERNET, ts, f.length, 0), i, Math.min(total, i + CHUNK));
  // The hosts tick every 200 ms of wall time; so does this loop, between chunks.
  if (rec !== null && Date.now() - lastTick >= 200) {
    const t = Date.now();
    rec.tick();
    commitMs += Date.now() - t;
    ticks++;
    lastTick = Date.now();
  }
  const h = process.memoryUsage().heapUsed;
  if (h > heapPeak) heapPeak = h;
  // With --expose-gc: the live heap (garbage collected first) every 100k frames.
  if (gc !== undefined && (i / CHUNK) % 10 === 9) {
    gc();
    liveMax = Math.max(liveMax, process.memoryUsage().heapUsed);
  }
}
if (rec !== null) {
  const t = Date.now();
  rec.stop();
  commitMs += Date.now() - t;
  ticks++;
}
const elapsed = Date.now() - started;
const mb = (n: number) => (n / 1048576).toFixed(0) + ' MB';
const size = store !== null ? statSync(dbPath).size + (safeSize(dbPath + '-wal') ?? 0) : 0;
console.log(
  JSON.stringify(
    {
      devices: a.inventory.size,
      edges: a.inventory.edges.size,
      frames: total,
      store: withStore,
      seconds: elapsed / 1000,
      framesPerSecond: Math.round(total / (elapsed / 1000)),
      commits: ticks,
      commitSeconds: commitMs / 1000,
      peakRss: mb(process.resourceUsage().maxRSS * 1024),
      peakHeapSampled: mb(heapPeak),
      peakLiveHeap: gc !== undefined ? mb(liveMax) : 'run with --expose-gc',
      cpuSeconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10,
      dbSize: withStore ? mb(size) : null,
      storedDevices: store?.devicesTotal ?? null,
      alerts: store?.alerts({ limit: 1_000_000 }).length ?? null,
    },
    null,
    2,
  ),
);
store?.close();
if (dbArg < 0) rmSync(dir, { recursive: true, force: true });

function safeSize(p: string): number | null {
  try {
    return statSync(p).size;
  } catch {
    return null;
  }
}

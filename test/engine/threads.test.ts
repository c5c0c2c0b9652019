/**
 * `glasspane analyze --threads N` (issue 19): every corpus capture analysed on 1, 2 and 4 threads
 * gives the same `--evidence --format json` output, byte for byte (the time it was written aside).
 * Real captures, real worker threads over SharedArrayBuffer rings, the real merge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { AnalysisPool } from '../../src-main/engine/threads/threaded';
import { ShareAnalysis } from '../../src-main/engine/threads/share';
import { inventoryFromPartial } from '../../shared/inventory/partial';
import { toJson } from '../../src-main/cli/format';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { CORPUS_SKIP, PCAPS } from '../helpers/corpus';
import type { InventoryJson } from '../../shared/model/inventory';
import { udpFrame } from '../helpers/packets';
import { writePcap } from '../helpers/pcap-writer';

const rules = loadRules();
const AT = '2026-01-01T00:00:00.000Z';

/** The JSON `analyze --evidence --format json` writes, stamped at one time. */
const text = (inv: InventoryJson) => toJson({ ...inv, generatedAt: AT });

async function oneThread(path: string): Promise<string> {
  const a = createAnalyzer();
  await analyzeFile(a, path);
  return text(a.snapshot({ evidence: true }));
}

async function threaded(pool: AnalysisPool, path: string): Promise<string> {
  const r = await pool.analyze([path]);
  assert.equal(r.failure, null);
  const inv = inventoryFromPartial(r.partial, { rules, vendorOf, evidence: true, ids: 'local', local: true });
  inv.stats.sources = r.sources;
  return text(inv);
}

/** Where two outputs part, for the message. */
function firstDifference(want: string, got: string): string {
  const w = want.split('\n');
  const g = got.split('\n');
  let i = 0;
  while (i < w.length && w[i] === g[i]) i++;
  return `line ${i + 1}: ${w[i]?.trim()} | ${g[i]?.trim()}`;
}

/*
 * What one analyzer decides across flows is decided by the reader, which sees every frame, and told
 * to the workers: SYN signatures, observed once a minute per sender (shared/engine/syn-repeats.ts);
 * which MACs route, from which frame, with the addresses they own by ARP
 * (shared/engine/router-watch.ts); a verbatim UDP copy goes to the worker that got the first
 * (shared/engine/udp-repeats.ts). Hearsay no device of a worker took travels in the partial and is
 * claimed in the merge (shared/inventory/partial-hearsay.ts). Every capture must match: none is
 * listed as not yet done.
 */

test('every corpus capture gives the same output on 1, 2 and 4 threads', { skip: CORPUS_SKIP }, async (t) => {
  const captures = readdirSync(PCAPS)
    .filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f))
    .sort();
  assert.ok(captures.length > 100);
  const pools = [2, 4].map((threads) => ({ threads, pool: new AnalysisPool({ threads }) }));
  let withDevices = 0;
  let same = 0;
  try {
    for (const f of captures) {
      await t.test(f, async () => {
        const path = join(PCAPS, f);
        const want = await oneThread(path);
        if ((JSON.parse(want) as InventoryJson).devices.length > 0) withDevices++;
        for (const { threads, pool } of pools) {
          const got = await threaded(pool, path);
          assert.ok(got === want, `${threads} threads: ${firstDifference(want, got)}`);
        }
        same++;
      });
    }
  } finally {
    await Promise.all(pools.map((p) => p.pool.close()));
  }
  // Not a comparison of empty outputs: nearly every capture has devices.
  assert.ok(withDevices > captures.length * 0.9);
  assert.equal(same, captures.length, `${same} of ${captures.length} the same`);
});

test("a device's addresses in the order it took them, where the capture's clock steps back", async () => {
  // Two captures joined (as the bench's): the second address is taken a frame later at an earlier
  // time, in another worker's frame (another address pair, another datagram). One analysis lists
  // them as taken.
  const dir = mkdtempSync(join(tmpdir(), 'gp-threads-'));
  const M = '02:00:00:00:00:aa';
  const T0 = Date.UTC(2026, 0, 1);
  const path = writePcap(join(dir, 'clock-back.pcap'), 1, [
    {
      data: udpFrame(
        { mac: M, ip: '10.0.0.5', port: 5000 },
        { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 53 },
        new Uint8Array(8),
      ),
      ts: T0 + 10_000,
    },
    {
      data: udpFrame(
        { mac: M, ip: '10.0.0.6', port: 5000 },
        { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 53 },
        new Uint8Array(8).fill(1),
      ),
      ts: T0,
    },
  ]);
  const pool = new AnalysisPool({ threads: 2 });
  try {
    const want = await oneThread(path);
    const m = (JSON.parse(want) as InventoryJson).devices.find((d) => d.id === 'mac:' + M)!;
    assert.deepEqual(m.ips, ['10.0.0.5', '10.0.0.6']);
    const got = await threaded(pool, path);
    assert.ok(got === want, firstDifference(want, got));
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('N threads are this one, which analyses a share, and N - 1 workers', { skip: CORPUS_SKIP }, async () => {
  const path = join(PCAPS, 'multi-lan-s7-plant__iti-ics__wrapup.pcapng');
  const want = createAnalyzer();
  await analyzeFile(want, path);
  for (const threads of [2, 3]) {
    const pool = new AnalysisPool({ threads });
    try {
      assert.equal(pool.workerThreads, threads - 1);
      const r = await pool.analyze([path]);
      assert.equal(r.failure, null);
      // One source per share, this thread's (w0) among them, each with frames of its own.
      const shares = new Map(r.partial.sources.map((s) => [s.worker, s.stats.packets]));
      assert.deepEqual(
        [...shares.keys()].sort(),
        Array.from({ length: threads }, (_, i) => `w${i}`),
      );
      for (const [w, n] of shares) assert.ok(n > 0, `${threads} threads: ${w} analysed nothing`);
      assert.equal(
        [...shares.values()].reduce((x, y) => x + y, 0),
        want.stats().packets,
      );
    } finally {
      await pool.close();
    }
  }
});

test("a frame that kills this thread's share fails the run; what it learnt is kept", async () => {
  // One conversation: every frame is this thread's (share 0, the first given a flow).
  const dir = mkdtempSync(join(tmpdir(), 'gp-threads-'));
  const T0 = Date.UTC(2026, 0, 1);
  const path = writePcap(
    join(dir, 'one-flow.pcap'),
    1,
    Array.from({ length: 6 }, (_, i) => ({
      data: udpFrame(
        { mac: '02:00:00:00:00:aa', ip: '10.0.0.5', port: 5000 },
        { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 53 },
        new Uint8Array(8).fill(i),
      ),
      ts: T0 + i * 1000,
    })),
  );
  const pool = new AnalysisPool({ threads: 2, fault: { kind: 'die', frame: 4 } });
  try {
    const r = await pool.analyze([path]);
    assert.equal(r.failure, 'analysis thread 1 of 2 stopped: test fault at frame 4');
    const w0 = r.partial.sources.find((s) => s.worker === 'w0');
    assert.equal(w0?.stats.packets, 3);
    assert.ok(r.partial.devices.length > 0);
    // The pool is spent.
    await assert.rejects(pool.analyze([path]), /analysis thread 1 of 2 stopped/);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'a worker that ends without a word: the run keeps what it sent until its last delta',
  { skip: CORPUS_SKIP },
  async () => {
    // 10,727 frames, about four fifths of them the worker's: deltas every 4096 of its records, then
    // it ends (as a crash would) at its first frame from 10,000 on, sending nothing more.
    const path = join(PCAPS, 'multi-lan-enip-plant__iti-ics__EIP-FirmwareChange.pcap');
    const want = createAnalyzer();
    await analyzeFile(want, path);
    const pool = new AnalysisPool({ threads: 2, deltaEveryMs: 0, fault: { kind: 'exit', frame: 10_000 } });
    try {
      const r = await pool.analyze([path]);
      assert.equal(r.failure, 'analysis thread 2 of 2 stopped: it exited (code 3) before its work was done');
      const w1 = r.partial.sources.find((s) => s.worker === 'w1')?.stats.packets ?? 0;
      assert.ok(w1 >= 4000, `the worker's deltas held ${w1} frames`);
      const w0 = r.partial.sources.find((s) => s.worker === 'w0')?.stats.packets ?? 0;
      assert.ok(w0 > 0 && w0 + w1 < want.stats().packets, `${w0} + ${w1}`);
    } finally {
      await pool.close();
    }
  },
);

test("a share's analyzer loads no classification rules: the merge classifies", () => {
  const share = new ShareAnalysis({ index: 1 });
  assert.equal(share.an.classifier, null);
  // Its partial is the merge's to classify: the same output on 1 and 2 threads (above) says so.
  assert.notEqual(createAnalyzer().classifier, null);
});

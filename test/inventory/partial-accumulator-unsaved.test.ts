/**
 * What a merge says changed since a checkpoint last asked (PartialAccumulator's `unsaved`, what the
 * sensors' console writes as rows): a mirror that writes what it says (or deletes what it no longer
 * holds) at random points always ends equal to the merge, with prunings at the caps; a replay says
 * only the devices and sources again (joined, not compared: a few rows written again); without the
 * option nothing is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Capped, PartialAccumulator, RECORD_KINDS } from '../../shared/inventory/partial-accumulator';
import { arpSensor, type Delta } from '../helpers/sensor-deltas';

test('a mirror of what a capped map says changed and dropped ends equal to it', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.nat({ max: 100 }), fc.boolean()), { maxLength: 300 }),
      fc.integer({ min: 1, max: 20 }),
      (entries, cap) => {
        const c = new Capped<number>(cap, Math.max);
        const marked = new Set<string>();
        c.onDrop = (k) => marked.add(k);
        const mirror = new Map<string, number>();
        const save = () => {
          for (const k of marked) {
            const v = c.map.get(k);
            if (v === undefined) mirror.delete(k);
            else mirror.set(k, v);
          }
          marked.clear();
        };
        for (const [k, v, checkpoint] of entries) {
          if (c.add(k, v)) marked.add(k);
          if (checkpoint) save();
        }
        save();
        assert.deepEqual([...mirror].sort(), [...c.map].sort());
      },
    ),
    { numRuns: 200 },
  );
});

test("a merge's unsaved records: what changed since the last call, by kind", () => {
  const acc = new PartialAccumulator({ unsaved: true });
  const hq = arpSensor('hq', 's1', 1);
  const plant = arpSensor('plant', 's2', 2);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const first: Delta[] = [hq.see(range(40), 1000), plant.see(range(10), 1000)];
  for (const d of first) acc.add(d.partial);
  const all = acc.unsaved();
  assert.deepEqual(
    [...all].map(([k, keys]) => [k, keys.length]),
    [
      ['source', 2],
      ['device', 50],
    ],
  );
  // Every key names a record the merge holds.
  for (const [k, keys] of all) for (const key of keys) assert.ok(acc.record(k, key) !== undefined);
  assert.deepEqual(acc.unsaved(), new Map(), 'asked again: nothing new');

  const again = hq.see([3, 7], 1001);
  acc.add(again.partial);
  const changed = acc.unsaved();
  assert.deepEqual(
    changed.get('device'),
    again.partial.devices.map((d) => d.key),
  );
  assert.deepEqual(changed.get('source'), ['hq/s1']);
  assert.equal(
    JSON.stringify(acc.record('device', again.partial.devices[0]!.key)),
    JSON.stringify(again.partial.devices[0]),
  );

  // The same deltas again: devices and sources are joined (and said) again, nothing else.
  for (const d of first) acc.add(d.partial);
  const replay = acc.unsaved();
  assert.deepEqual([...replay.keys()], ['source', 'device']);

  // Not asked for: nothing is kept.
  const plain = new PartialAccumulator();
  for (const d of first) plain.add(d.partial);
  assert.deepEqual(plain.unsaved(), new Map());
  plain.markUnsaved('device', ['x']);
  assert.deepEqual(plain.unsaved(), new Map());
  assert.deepEqual(RECORD_KINDS, ['source', 'device', 'edge', 'dns', 'edit', 'hearsay']);
});

/**
 * What a console's merge shares across its records (partial-intern.ts): real sensors' deltas, as
 * the console gets them (JSON text through parsePartial), merged into a PartialAccumulator hold the
 * merge they held before, byte for byte, with one empty list for all and one device reference per
 * device and address within each record; the string table stays within its bound under a flood.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeAll, PartialAccumulator, parsePartial } from '../../shared/inventory/partial';
import { StringTable } from '../../shared/inventory/partial-intern';
import type { PartialDevice, PartialInventory } from '../../shared/inventory/partial-types';
import { CORPUS_SKIP } from '../helpers/corpus';
import { captureDeltas, type Delta } from '../helpers/sensor-deltas';

/** A delta as the console gets it: its JSON, checked. */
function received(d: Delta): PartialInventory {
  const r = parsePartial(JSON.stringify(d.partial));
  if (!r.ok) throw new Error(r.reason);
  return r.partial;
}

function states(acc: PartialAccumulator): PartialDevice['states'] {
  return acc.partial().devices.flatMap((d) => d.states);
}

test(
  'a merge of real deltas shares its empty lists and device references, and holds the same merge',
  {
    skip: CORPUS_SKIP,
  },
  async () => {
    // DHCP clients and servers (facts about each host), and a routed capture (edges, shares).
    const deltas = [
      ...(await captureDeltas('dhcp__zeek__dhcp.pcap', 'hq', 's1', 5)),
      ...(await captureDeltas('multi-lan-mixed__zeek__wikipedia.pcap', 'plant', 's2', 40)),
    ];
    const acc = new PartialAccumulator();
    // Each delta twice (a replay joins records already held), in the order sent.
    for (const d of [...deltas, ...deltas]) acc.add(received(d));
    const whole = mergeAll(deltas.map(received));
    assert.equal(JSON.stringify(acc.partial()), JSON.stringify(whole));

    // Every empty list of every state (and of its addresses) is one array, which cannot be filled.
    const empties = new Set<unknown[]>();
    for (const s of states(acc))
      for (const xs of [
        s.via,
        s.ips,
        s.protocols,
        s.vlans,
        s.servedTcp,
        s.facts,
        ...s.ips.map((u) => u.served),
      ])
        if (xs.length === 0) empties.add(xs);
    assert.equal(empties.size, 1);
    const empty = [...empties][0]!;
    assert.ok(Object.isFrozen(empty));
    assert.throws(() => (empty as string[]).push('x'), TypeError);

    // Within a state, one reference object per MAC and address its facts name.
    let facts = 0;
    for (const s of states(acc)) {
      const refs = new Set(s.facts.map((f) => f.obs.device));
      const named = new Set(s.facts.map((f) => `${f.obs.device.mac} ${f.obs.device.ip}`));
      assert.equal(refs.size, named.size);
      facts += s.facts.length;
    }
    // Something to share: more facts than references.
    const refs = new Set(states(acc).flatMap((s) => s.facts.map((f) => f.obs.device)));
    assert.ok(refs.size < facts / 2, `${refs.size} references for ${facts} facts`);
  },
);

test('the string table holds at most two generations, however many distinct strings pass', () => {
  const t = new StringTable(100, 16);
  for (let i = 0; i < 10_000; i++) {
    assert.equal(t.of(`host-${i}`), `host-${i}`);
    assert.ok(t.size <= 200, `${t.size} strings held`);
  }
  const held = t.size;
  // Longer than it takes: given back, not held.
  assert.equal(t.of('x'.repeat(17)), 'x'.repeat(17));
  assert.equal(t.size, held);
});

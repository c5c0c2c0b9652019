/**
 * What a console's merge shares across its records (partial-intern.ts): real sensors' deltas, as
 * the console gets them (JSON text through parsePartial), merged into a PartialAccumulator hold the
 * merge they held before, byte for byte, with one empty list for all and one device reference per
 * device and address within each record, and no fact's key kept once merged and rebuilt; the
 * string table stays within its bound under a flood.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { factKey } from '../../shared/inventory/evidence';
import {
  inventoryFromPartial,
  mergeAll,
  PartialAccumulator,
  parsePartial,
  partialOf,
} from '../../shared/inventory/partial';
import { literal, StringTable } from '../../shared/inventory/partial-intern';
import { OBSERVATION_FIELDS } from '../../shared/inventory/partial-schema';
import type { Observation } from '../../shared/model/observation';
import type { PartialDevice, PartialInventory } from '../../shared/inventory/partial-types';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { CORPUS_SKIP } from '../helpers/corpus';
import { dhcpRequestFrame } from '../helpers/dhcp-frames';
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
  'a merge of real deltas shares its empty lists and device references, makes its observations again, and holds the same merge',
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
    const given = new Set<object>();
    // Each delta twice (a replay joins records already held), in the order sent.
    for (const d of [...deltas, ...deltas]) {
      const p = received(d);
      for (const x of p.devices) for (const s of x.states) for (const f of s.facts) given.add(f.obs);
      acc.add(p);
    }
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

    // The schema's observations made again (as literals, without a property array each).
    const held = states(acc).flatMap((s) => s.facts.map((f) => f.obs));
    assert.ok(held.length > 0 && given.size >= held.length);
    assert.equal(held.filter((o) => given.has(o)).length, 0);

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

/** A sensor's partial of `n` DHCP clients (six facts each), as JSON. */
function dhcpClients(n: number): string {
  const a = createAnalyzer();
  for (let d = 0; d < n; d++) {
    const mac = [2, 0, 0, d >> 8, d & 255, 1].map((x) => x.toString(16).padStart(2, '0')).join(':');
    const f = dhcpRequestFrame({ mac, ip: `10.0.${d >> 8}.${d & 255}` }, `host-${d}`, d + 1);
    a.frame(f, 1, 1.7e9 + d, f.length, 0);
  }
  return JSON.stringify(partialOf(a.inventory, { site: 'hq', sensor: 's1' }));
}

test('a merge and its rebuild keep no key of the facts it holds (a key kept costs heap as long as they live)', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    for (let i = 0; i < 3; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  // Through parsePartial as a console gets them, merged, and the inventory made of the merge.
  const r = parsePartial(dhcpClients(4000));
  assert.ok(r.ok);
  const acc = new PartialAccumulator();
  acc.add(r.partial);
  assert.equal(inventoryFromPartial(acc.partial()).devices.length, 4000);
  const obs = acc.partial().devices.flatMap((d) => d.states.flatMap((s) => s.facts.map((f) => f.obs)));
  assert.ok(obs.length >= 20_000, `${obs.length} facts`);
  // Keeping their keys now costs what it would have cost had the merge kept them.
  // Collections enough for V8 to have dropped the bytecode of what ran before.
  for (let i = 0; i < 4; i++) heap();
  const before = heap();
  for (const o of obs) factKey(o);
  const grew = heap() - before;
  assert.ok(grew > obs.length * 40, `${grew} bytes for ${obs.length} keys`);
  // Held until here: an optimised loop above may let go of what it no longer reads.
  assert.equal(acc.size, 4000);
});

test("each kind of observation made again as a literal has the schema's fields, in its order", () => {
  assert.equal(OBSERVATION_FIELDS.size, 12);
  for (const [kind, fields] of OBSERVATION_FIELDS) {
    const o = Object.fromEntries(
      fields.map((f, i) => [f, f === 'kind' ? kind : `${f}-${i}`]),
    ) as unknown as Observation;
    const again = literal(o);
    assert.deepEqual(Object.keys(again), fields, kind);
    assert.equal(JSON.stringify(again), JSON.stringify(o), kind);
  }
});

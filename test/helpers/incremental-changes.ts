/**
 * One step of the console's incremental rebuild (shared/inventory/partial-incremental.ts), checked
 * against full rebuilds of the same merge: its whole inventory equals a full rebuild's byte for byte,
 * and the changes it reports are the difference between the full inventories before and after
 * (devices and edges added, changed and removed; ids moved to a new id), nothing missing and nothing
 * foreign. A rebuilt device or edge that ends up the same may be listed (the console compares those);
 * what is listed must be what the inventory now holds.
 */
import assert from 'node:assert/strict';
import { inventoryFromPartial, type PartialAccumulator } from '../../shared/inventory/partial';
import type { IncrementalInventory, IncrementalOptions } from '../../shared/inventory/partial-incremental';
import { combine, decideRouters, type Combined } from '../../shared/inventory/partial-combine';
import { idsOf } from '../../shared/inventory/partial-inventory';
import { emptyInventoryStats, INVENTORY_SCHEMA, type InventoryJson } from '../../shared/model/inventory';

export const text = (inv: InventoryJson) => JSON.stringify({ ...inv, generatedAt: '' });

/** What a full rebuild gives now, and each device's id by its partial key (as a full rebuild names them). */
export interface Full {
  inv: InventoryJson;
  ids: Map<string, string>;
}

export const EMPTY_FULL: Full = {
  inv: {
    schema: INVENTORY_SCHEMA,
    generatedAt: '',
    stats: emptyInventoryStats(),
    devices: [],
    edges: [],
  },
  ids: new Map(),
};

export function fullOf(acc: PartialAccumulator, o: IncrementalOptions): Full {
  const p = acc.partial();
  const all = new Map<string, Combined>();
  for (const d of p.devices) all.set(d.key, combine(d));
  decideRouters(all);
  return {
    inv: inventoryFromPartial(p, o),
    ids: idsOf(
      [...all.values()].map((c) => c.p),
      'auto',
    ),
  };
}

const edgeId = (e: { a: string; b: string }) => `${e.a}\n${e.b}`;
const sorted = (xs: Iterable<string>) => [...xs].sort();

/** Listed by id, each as its JSON. */
function byId<T>(xs: readonly T[], id: (x: T) => string): Map<string, string> {
  const out = new Map<string, string>();
  for (const x of xs) {
    assert.ok(!out.has(id(x)), `${id(x)} is listed twice`);
    out.set(id(x), JSON.stringify(x));
  }
  return out;
}

/** Changed or added (by id) from `was` to `now`, and removed. */
function difference(was: Map<string, string>, now: Map<string, string>) {
  return {
    upserts: sorted([...now].filter(([id, s]) => was.get(id) !== s).map(([id]) => id)),
    removed: sorted([...was.keys()].filter((id) => !now.has(id))),
  };
}

/**
 * Rebuild `inc` (whose merge is `acc`) after the last check gave `was`; assert it as above, and its
 * whole inventory when `whole` (not asking for it every time lets it catch up on several rebuilds).
 * Returns the full rebuild now, for the next step.
 */
export function rebuildChecked(
  inc: IncrementalInventory,
  acc: PartialAccumulator,
  o: IncrementalOptions,
  was: Full,
  whole = true,
): Full {
  const ch = inc.rebuild();
  const now = fullOf(acc, o);
  if (whole) {
    const got = inc.inventory();
    assert.equal(text(got), text(now.inv));
    assert.equal(ch.generatedAt, got.generatedAt);
    assert.deepEqual(ch.stats, got.stats);
  } else assert.deepEqual(ch.stats, now.inv.stats);
  // In inventory order, as the batch the UI gets is.
  assert.deepEqual(
    ch.devices.map((d) => d.id),
    sorted(ch.devices.map((d) => d.id)),
  );
  assert.deepEqual(ch.removed, sorted(ch.removed));

  const devNow = byId(now.inv.devices, (d) => d.id);
  const devWas = byId(was.inv.devices, (d) => d.id);
  const listed = byId(ch.devices, (d) => d.id);
  for (const [id, s] of listed)
    assert.equal(s, devNow.get(id), `listed device ${id} is not the one the inventory holds`);
  const want = difference(devWas, devNow);
  assert.deepEqual(
    sorted([...listed].filter(([id, s]) => devWas.get(id) !== s).map(([id]) => id)),
    want.upserts,
    'devices added or changed',
  );
  assert.deepEqual(ch.removed, want.removed, 'devices removed');

  const edgeNow = byId(now.inv.edges, edgeId);
  const edgeWas = byId(was.inv.edges, edgeId);
  const listedEdges = byId(ch.edges, edgeId);
  for (const [id, s] of listedEdges)
    assert.equal(s, edgeNow.get(id), `listed edge ${id} is not the one the inventory holds`);
  const wantEdges = difference(edgeWas, edgeNow);
  assert.deepEqual(
    sorted([...listedEdges].filter(([id, s]) => edgeWas.get(id) !== s).map(([id]) => id)),
    wantEdges.upserts,
    'edges added or changed',
  );
  assert.deepEqual(sorted(ch.edgesRemoved.map(edgeId)), wantEdges.removed, 'edges removed');

  const moved = [...now.ids].flatMap(([k, id]) => {
    const old = was.ids.get(k);
    return old !== undefined && old !== id ? [`${old} -> ${id}`] : [];
  });
  assert.deepEqual(sorted(ch.moved.map(([a, b]) => `${a} -> ${b}`)), sorted(moved), 'ids moved');
  return now;
}

/**
 * Each device as `inc.details` makes it with its evidence and identity, against a full rebuild with
 * them, byte for byte; those it leaves to a full rebuild (null) are counted, not compared.
 */
export function detailsChecked(
  inc: IncrementalInventory,
  acc: PartialAccumulator,
  o: IncrementalOptions,
): { same: number; left: number } {
  const n = { same: 0, left: 0 };
  const full = inventoryFromPartial(acc.partial(), { ...o, evidence: true, identity: true });
  for (const d of full.devices) {
    const got = inc.details(d.id, { evidence: true, identity: true });
    if (got === null) n.left++;
    else {
      assert.equal(JSON.stringify(got), JSON.stringify(d), `details of ${d.id}`);
      n.same++;
    }
  }
  return n;
}

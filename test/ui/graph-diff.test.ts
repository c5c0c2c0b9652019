/**
 * The graph controller's in-place update check, as a pure function over real graph models: every
 * field a node or edge is drawn with is compared, so a change to one field alone (a Purdue level,
 * the search text, the protocols on an edge) reaches cytoscape.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { edgeKey } from '../../src-renderer/store/devices-slice';
import { edgeChanges, nodeChanges } from '../../src-renderer/graph/element-diff';
import { buildGraph } from '../../src-renderer/graph/model';
import { syntheticDevice, syntheticEdges } from './helpers/synthetic';

function model() {
  const devices = Array.from({ length: 40 }, (_, i) => syntheticDevice(i));
  const dm = new Map(devices.map((d) => [d.id, d]));
  const em = new Map(syntheticEdges(devices).map((e) => [edgeKey(e.a, e.b), e]));
  return buildGraph(dm, em, { grouping: 'purdue', aggregateAbove: 5000, expanded: new Set() });
}

/** What cytoscape holds after `add({ data: { ...x } })`: a plain copy. */
const drawn = (x: object): Record<string, unknown> => ({ ...x });

/** A value of the same type that differs from `v`. */
function other(v: unknown): unknown {
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'string') return v + 'x';
  if (v === null) return 3;
  throw new Error(`no other value for ${String(v)}`);
}

test('an unchanged node or edge needs no write', () => {
  const m = model();
  assert.ok(m.nodes.size >= 40 && m.edges.size > 0, 'the model has nodes and edges');
  for (const n of m.nodes.values()) assert.equal(nodeChanges(drawn(n), n), null, n.id);
  for (const e of m.edges.values()) assert.equal(edgeChanges(drawn(e), e), null, e.id);
});

test('a change to any one drawn field of a node is written, and only that field', () => {
  const n = [...model().nodes.values()][0]!;
  const fields = Object.keys(n).filter((k) => k !== 'id' && k !== 'parent');
  assert.ok(fields.includes('level') && fields.includes('search'), fields.join());
  for (const f of fields) {
    const next = { ...n, [f]: other((n as unknown as Record<string, unknown>)[f]) };
    assert.deepEqual(nodeChanges(drawn(n), next), { [f]: next[f as keyof typeof next] }, f);
  }
});

test('level and search alone (the fields the old check skipped)', () => {
  const n = [...model().nodes.values()].find((x) => x.level !== null) ?? [...model().nodes.values()][0]!;
  assert.deepEqual(nodeChanges(drawn(n), { ...n, level: null }), n.level === null ? null : { level: null });
  assert.deepEqual(nodeChanges(drawn({ ...n, level: 2 }), { ...n, level: 1 }), { level: 1 });
  assert.deepEqual(nodeChanges(drawn(n), { ...n, search: n.search + ' plc-7' }), {
    search: n.search + ' plc-7',
  });
});

test('an edge whose width stays the same still gets new bytes and protocols', () => {
  const e = [...model().edges.values()][0]!;
  assert.deepEqual(edgeChanges(drawn(e), { ...e, bytes: e.bytes + 1 }), { bytes: e.bytes + 1 });
  assert.deepEqual(edgeChanges(drawn(e), { ...e, protocols: 'modbus' }), { protocols: 'modbus' });
});

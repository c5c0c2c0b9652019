// The map of a sensors' console groups devices by site and subnet: the same private subnet at two
// sites is two groups (and above the aggregation threshold, two aggregates), while a local capture's
// devices (no site) keep their plain subnet groups.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGraph, groupOf, parentId } from '../../src-renderer/graph/model';
import { syntheticDevice } from './helpers/synthetic';

test('the same subnet at two sites is two groups; no site keeps the plain subnet', () => {
  const local = syntheticDevice(1);
  const atA = { ...syntheticDevice(2), site: 'a', sensors: ['s1'] };
  const atB = { ...syntheticDevice(2), id: `${syntheticDevice(2).id}@b`, site: 'b', sensors: ['s2'] };
  assert.equal(groupOf(atA).replace('site a · ', ''), groupOf(local).replace(/.*· /, ''));
  const devices = new Map([local, atA, atB].map((d) => [d.id, d]));
  const g = buildGraph(devices, new Map(), { grouping: 'subnet', aggregateAbove: 5000, expanded: new Set() });
  const parents = [...g.parents.values()].map((p) => p.label).sort();
  assert.ok(parents.includes(groupOf(local)) && !groupOf(local).startsWith('site '), parents.join());
  assert.ok(
    parents.some((l) => l.startsWith('site a · ')),
    parents.join(),
  );
  assert.ok(
    parents.some((l) => l.startsWith('site b · ')),
    parents.join(),
  );
  assert.notEqual(g.nodes.get(atA.id)!.parent, g.nodes.get(atB.id)!.parent);
  assert.equal(g.nodes.get(atA.id)!.parent, parentId(groupOf(atA)));
  // Aggregated: one aggregate per site and subnet.
  const agg = buildGraph(devices, new Map(), { grouping: 'subnet', aggregateAbove: 1, expanded: new Set() });
  assert.equal(
    [...agg.nodes.values()].filter((n) => n.kind === 'aggregate').length,
    new Set([...devices.values()].map(groupOf)).size,
  );
});

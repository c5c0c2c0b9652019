/**
 * The renderer's pure parts, without a browser: the BPF sanity check, CSV export against formula
 * injection, the SVG writer's escaping, graph aggregation and N-hop focus, the store's highlight of
 * new and changed devices, and the optional-call feature check.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDLE_STATUS, parseCallResult, type DeviceDelta } from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import { buildGraph, neighbourhood, aggregateId } from '../../src-renderer/graph/model';
import { escapeXml, toSvg } from '../../src-renderer/graph/svg-export';
import { COLUMN_BY_ID, matchesFilter } from '../../src-renderer/inventory/columns';
import { toCsv } from '../../src-renderer/inventory/export';
import { createLink } from '../../src-renderer/store/link';
import { createGlasspaneStore } from '../../src-renderer/store/store';
import type { Transport } from '../../src-renderer/transport/transport';
import { checkBpf } from '../../src-renderer/util/bpf-check';
import { deltasFor, syntheticDevice, syntheticEdges } from './helpers/synthetic';

test('BPF check: valid filters pass, broken ones say where', () => {
  for (const ok of [
    'tcp port 502',
    'not port 22 and (tcp or udp)',
    'host 10.0.0.1 && !(udp port 53)',
    'ether host 00:11:22:33:44:55',
    'net 192.168.0.0/16 or ip6',
    'tcp[13] & 2 != 0',
    'vlan 10 and udp portrange 47808-47823',
  ]) {
    assert.deepEqual(checkBpf(ok).errors, [], ok);
  }
  assert.match(checkBpf('tcp and (port 80').errors.join(), /never closed/);
  assert.match(checkBpf('tcp port 80)').errors.join(), /closes nothing/);
  assert.match(checkBpf('and tcp').errors.join(), /needs an expression before/);
  assert.match(checkBpf('tcp or').errors.join(), /ends with "or"/);
  assert.match(checkBpf('tcp and and udp').errors.join(), /needs an expression before/);
  assert.match(checkBpf('host "x"').errors.join(), /no quotes/);
  assert.match(checkBpf('port 80; rm -rf /').errors.join(), /";" at position 8/);
  assert.match(checkBpf('tcp[13').errors.join(), /never closed/);
  assert.match(checkBpf('port 80 \u0000').errors.join(), /ASCII/);
  assert.match(checkBpf('tpc port 80').warnings.join(), /"tpc" is not a filter keyword/);
  assert.deepEqual(checkBpf('').errors, []);
  assert.equal(checkBpf('x'.repeat(5000)).errors.length, 1);
});

function device(over: Partial<DeviceJson>): DeviceJson {
  return { ...syntheticDevice(1), ...over };
}

test('CSV export: formula-looking cells are defused, quotes and commas survive', () => {
  const cols = ['name', 'vendor'].map((id) => COLUMN_BY_ID.get(id)!);
  const csv = toCsv(
    [
      device({ hostname: '=HYPERLINK("http://x")', vendor: 'A, "B"' }),
      device({ hostname: '@cmd', vendor: '+1' }),
    ],
    cols,
  );
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[0], 'Name,Vendor');
  assert.equal(lines[1], `"'=HYPERLINK(""http://x"")","A, ""B"""`);
  assert.equal(lines[2], "'@cmd,'+1");
});

test('column filters: substring by default, exact with "=", "=" alone for unknown', () => {
  const vendor = COLUMN_BY_ID.get('vendor')!;
  const d = device({ vendor: 'Siemens AG' });
  assert.equal(matchesFilter(vendor, d, 'siem'), true);
  assert.equal(matchesFilter(vendor, d, '=siemens'), false);
  assert.equal(matchesFilter(vendor, d, '=siemens ag'), true);
  assert.equal(matchesFilter(vendor, device({ vendor: null }), '='), true);
  assert.equal(matchesFilter(vendor, d, '='), false);
});

test('SVG export escapes every label', () => {
  assert.equal(
    escapeXml(`<img src=x onerror="alert(1)">&'`),
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&apos;',
  );
  const svg = toSvg(
    [
      {
        x: 0,
        y: 0,
        w: 20,
        h: 20,
        label: '<script>alert(1)</script>',
        color: '#000"/><script>',
        parent: false,
      },
    ],
    [],
    { bg: '#fff', text: '#000', edge: '#888', parent: '#eee' },
  );
  assert.ok(!svg.includes('<script'));
  assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});

test('graph: one node per device below the threshold; subnets aggregate above it and expand on demand', () => {
  const devices = Array.from({ length: 1000 }, (_, i) => syntheticDevice(i));
  const edges = syntheticEdges(devices);
  const dm = new Map(devices.map((d) => [d.id, d]));
  const em = new Map(edges.map((e) => [`${e.a}|${e.b}`, e]));
  const full = buildGraph(dm, em, { grouping: 'subnet', aggregateAbove: 5000, expanded: new Set() });
  assert.equal(full.nodes.size, 1000);
  assert.equal(full.parents.size, 4); // 250 devices per /24 in the synthetic set
  assert.equal(full.edges.size, edges.length);
  const agg = buildGraph(dm, em, { grouping: 'subnet', aggregateAbove: 500, expanded: new Set() });
  assert.equal(agg.nodes.size, 4);
  assert.equal(agg.nodes.get(aggregateId('10.0.0.0/24'))?.count, 250);
  // Edges inside a subnet vanish; those between subnets merge, their bytes summed.
  const cross = edges.filter((e) => full.nodes.get(e.a)!.subnet !== full.nodes.get(e.b)!.subnet);
  assert.equal(
    [...agg.edges.values()].reduce((n, e) => n + e.bytes, 0),
    cross.reduce((n, e) => n + e.bytes, 0),
  );
  const one = buildGraph(dm, em, {
    grouping: 'subnet',
    aggregateAbove: 500,
    expanded: new Set(['10.0.1.0/24']),
  });
  assert.equal(one.nodes.size, 3 + 250);
  const flat = buildGraph(dm, em, { grouping: 'none', aggregateAbove: 5000, expanded: new Set() });
  assert.equal(flat.parents.size, 0);
  assert.equal(
    [...flat.nodes.values()].every((n) => n.parent === undefined),
    true,
  );
  // By Purdue level: synthetic types plc, hmi, workstation/server/printer, and the rest unknown.
  const purdue = buildGraph(dm, em, { grouping: 'purdue', aggregateAbove: 5000, expanded: new Set() });
  assert.deepEqual([...purdue.parents.keys()].sort(), ['lvl:1', 'lvl:2', 'lvl:3', 'lvl:unknown']);
  assert.equal(purdue.parents.get('lvl:1')?.label, 'Level 1: basic control (estimated)');
  assert.equal(purdue.nodes.get(devices[0]!.id)?.parent, 'lvl:1'); // device 0 is a plc
});

test('N-hop neighbourhood follows edges and stops at N', () => {
  const e = (a: string, b: string) => ({
    ...syntheticEdges([syntheticDevice(0), syntheticDevice(1)])[0]!,
    a,
    b,
  });
  const edges = new Map([
    ['1', e('a', 'b')],
    ['2', e('b', 'c')],
    ['3', e('c', 'd')],
    ['4', e('x', 'y')],
  ]);
  assert.deepEqual([...neighbourhood('a', edges, 1)].sort(), ['a', 'b']);
  assert.deepEqual([...neighbourhood('a', edges, 2)].sort(), ['a', 'b', 'c']);
  assert.deepEqual([...neighbourhood('b', edges, 3)].sort(), ['a', 'b', 'c', 'd']);
});

test('store: one set per delta batch; new and changed devices are marked, counter ticks and bulk loads are not', () => {
  const store = createGlasspaneStore();
  store.getState().applySnapshot({ sequence: 0, devices: [], edges: [], status: IDLE_STATUS });
  let sets = 0;
  store.subscribe(() => sets++);
  const devices = Array.from({ length: 3 }, (_, i) => syntheticDevice(i));
  const [d1] = deltasFor(devices, syntheticEdges(devices));
  assert.equal(store.getState().applyDelta(d1!), true);
  assert.equal(sets, 1);
  assert.equal(store.getState().deviceList.length, 3);
  assert.equal(store.getState().recent.get(devices[0]!.id)?.kind, 'new');
  const delta = (sequence: number, upserts: DeviceJson[]): DeviceDelta => ({
    sequence,
    reset: false,
    upserts,
    removals: [],
    edgeUpserts: [],
    edgeRemovals: [],
  });
  store.getState().applyDelta(
    delta(2, [
      { ...devices[1]!, vendor: 'Changed GmbH' },
      { ...devices[2]!, packets: 999999 },
    ]),
  );
  assert.equal(store.getState().recent.get(devices[1]!.id)?.kind, 'changed');
  assert.equal(
    store.getState().recent.get(devices[2]!.id)?.kind,
    'new',
    'a counter tick keeps the earlier mark, adds none',
  );
  const bulk = Array.from({ length: 3000 }, (_, i) => syntheticDevice(i + 10));
  store.getState().applyDelta(delta(3, bulk));
  assert.equal(store.getState().recent.has(bulk[0]!.id), false);
  assert.equal(store.getState().applyDelta(delta(9, [])), false, 'a gap is refused');
});

test('optional calls: unknown-call hides the feature, other errors do not; replies are validated', async () => {
  const answers: Record<string, unknown> = {
    getDevice: { ok: false, error: { code: 'unknown-call', message: 'no' } },
    getTimeline: { ok: true, value: { supported: 'maybe', entries: [] } },
    checkFilter: { ok: false, error: { code: 'failed', message: 'pcap broke' } },
  };
  const calls: string[] = [];
  const transport: Transport = {
    kind: 'websocket',
    call: async (name) => {
      calls.push(name);
      return parseCallResult(name, answers[name]);
    },
    on: () => () => {},
    state: () => ({ kind: 'connecting' }),
    onState: () => () => {},
    close: () => {},
  };
  const store = createGlasspaneStore();
  const link = createLink(transport, store);
  const dev = await link.optional('getDevice', { id: 'mac:00:00:00:00:00:01' });
  assert.equal(dev.ok === false && dev.unsupported, true);
  assert.equal(store.getState().features.getDevice, false);
  await link.optional('getDevice', { id: 'mac:00:00:00:00:00:01' });
  assert.deepEqual(calls, ['getDevice'], 'an unsupported call is not asked again');
  // A reply that fails the contract's schema is an error, not a missing feature.
  const tl = await link.optional('getTimeline', { id: 'x' });
  assert.equal(tl.ok, false);
  assert.equal(tl.ok === false && tl.unsupported, false);
  assert.equal(store.getState().features.getTimeline, null);
  // A host that cannot check filters now ('unavailable') may later: the feature stays undecided.
  const cf = await link.optional('checkFilter', { filter: 'tcp' });
  assert.equal(cf.ok === false && cf.unsupported, false);
  assert.equal(store.getState().features.checkFilter, null);
});

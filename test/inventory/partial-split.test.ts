/**
 * Partial inventories of real captures (shared/inventory/partial.ts). A capture split in two, each
 * half analysed as its own source and the partials merged, gives the inventory of the capture
 * analysed whole; a partial of one analysis gives that analysis back; deltas merged in any order,
 * twice, give the full partial. Sites and layer-2 domains keep devices apart; edits outrank facts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer } from '../../shared/engine/analyzer';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import { LAYERS } from '../../shared/decode/layers';
import { APP_PROTOCOLS, SYN_OBSERVERS } from '../../shared/protocols';
import {
  inventoryFromPartial,
  mergeAll,
  mergePartials,
  parsePartial,
  partialMarker,
  type PartialInventory,
  type PartialMarker,
} from '../../shared/inventory/partial';
import type { EdgeJson, InventoryJson } from '../../shared/model/inventory';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { readCaptureFile } from '../../src-main/capture/file-source';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { PCAPS, corpusAvailable } from '../helpers/corpus';
import { writeMacFlood } from '../helpers/flood-pcap';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is not here';
const rules = loadRules();
const opts = { rules, vendorOf, evidence: true };

/**
 * As createAnalyzer, without the repeat window: an analyzer that saw the first half would skip a
 * verbatim announcement in the second that the other half's analyzer dissects, so the counts of a
 * split and a whole run differ by design there. The split compares like with like.
 */
const analyzer = () =>
  new Analyzer({
    layers: LAYERS,
    apps: APP_PROTOCOLS,
    synObservers: SYN_OBSERVERS,
    vendorOf,
    rules,
    repeatWindowMs: 0,
  });

async function whole(
  file: string,
  a = analyzer(),
): Promise<{ a: Analyzer; inv: InventoryJson; frames: number }> {
  const r = await analyzeFile(a, join(PCAPS, file));
  return { a, inv: a.snapshot({ evidence: true }), frames: r.frames };
}

/** The first `n` frames to one analyzer, the rest to another (numbered on from n), as two sources. */
async function split(file: string, n: number): Promise<PartialInventory> {
  const [x, y] = [analyzer(), analyzer()];
  x.beginSource(0);
  y.beginSource(n);
  let i = 0;
  const path = join(PCAPS, file);
  const r = await readCaptureFile(path, {
    records: (buf, s, e, h) => (i++ < n ? x : y).record(buf, s, e, h),
  });
  x.endSource({ path, format: r.format, frames: n, warnings: [] });
  y.endSource({ path, format: r.format, frames: r.frames - n, warnings: [] });
  const px = parsePartial(JSON.stringify(analyzerPartial(x, { site: 'plant', sensor: 'first' })));
  const py = parsePartial(JSON.stringify(analyzerPartial(y, { site: 'plant', sensor: 'second' })));
  assert.ok(px.ok && py.ok);
  return mergePartials(py.partial, px.partial);
}

/** An edge as seen from its lower id (a merged inventory numbers devices in id order). */
function edge(e: EdgeJson): EdgeJson {
  if (e.a < e.b) return e;
  return {
    ...e,
    a: e.b,
    b: e.a,
    packetsAtoB: e.packetsBtoA,
    packetsBtoA: e.packetsAtoB,
    bytesAtoB: e.bytesBtoA,
    bytesBtoA: e.bytesAtoB,
  };
}

/** What an analysis and a merge must agree on: all but the merge's own fields, the time written, file lists. */
function comparable(inv: InventoryJson) {
  const { sources: _files, ...stats } = inv.stats;
  return {
    stats,
    devices: inv.devices.map(({ site: _s, sensors: _n, ...d }) => ({
      ...d,
      evidence: d.evidence?.map(({ sources: _w, ...ev }) => ev),
    })),
    edges: inv.edges.map(edge).sort((x, y) => (x.a + ' ' + x.b < y.a + ' ' + y.b ? -1 : 1)),
  };
}

// One capture of each kind where no flow-scoped fact or router decision crosses the cut.
const EXACT = [
  ['IT', 'multi-lan-windows__suricata-verify__smb2-ntlmssp-negotiateflags_input.pcap'],
  ['IoT', 'coap-mqtt__ndpi__coap_mqtt.pcap'],
  ['OT', 'opcua__icsnpp-opcua__open62541_client-server_mainloop.pcap'],
  ['OT', 'profinet-dcp__iti-ics__ChangeIPUsingDCP.pcap'],
] as const;

for (const [kind, file] of EXACT)
  test(`${kind}: ${file} split in two and merged equals it analysed whole`, { skip }, async () => {
    const w = await whole(file);
    assert.ok(w.inv.devices.length >= 2);
    for (const at of [0.5, 0.3]) {
      const merged = inventoryFromPartial(await split(file, Math.floor(w.frames * at)), opts);
      assert.deepEqual(comparable(merged), comparable(w.inv));
      for (const d of merged.devices) {
        assert.equal(d.site, 'plant');
        assert.ok(d.sensors!.length >= 1 && d.sensors!.every((s) => s === 'first' || s === 'second'));
      }
    }
  });

// Routed IT captures: each half sees too few of the gateway's addresses to call it a router, or
// calls it later than the whole does. The merge decides again on the combined addresses and moves
// what each half kept by address (shares.ts): counters, edges, protocols and facts of what crossed
// the gateway before it was known to route go where one analysis puts them.
for (const file of [
  'multi-lan-mixed__zeek__wikipedia.pcap',
  'multi-lan-mixed__ndpi__teams.pcap',
  'multi-lan-mixed__ndpi__telegram.pcap',
])
  test(
    `IT: ${file} split in two and merged equals it analysed whole, routers and all`,
    { skip },
    async () => {
      const w = await whole(file);
      assert.ok(w.inv.devices.some((d) => d.router) && w.inv.devices.filter((d) => d.routed).length > 2);
      for (const at of [0.5, 0.3]) {
        const n = Math.floor(w.frames * at);
        const p = await split(file, n);
        // Not a case the halves settle alone: the second half, which starts knowing nothing, calls
        // the gateway a router late (what it moved then is in routed*) or not at all.
        const late = p.devices.some(
          (d) =>
            w.inv.devices.some((x) => x.router && x.id === d.id) &&
            d.states.some(
              (s) =>
                s.source.endsWith('/second') &&
                (!s.router || (s.routedPackets ?? 0) + (s.routedReceivedPackets ?? 0) > 0),
            ),
        );
        assert.ok(late, `cut at ${at}: the second half knew the router from its start`);
        const merged = inventoryFromPartial(p, opts);
        assert.deepEqual(comparable(merged), comparable(w.inv), `cut at ${at}`);
      }
    },
  );

test(
  'IT: a DHCP server names a DNS server in the first half, a device takes that address in the second: the merge attaches the fact where one analysis does',
  { skip },
  async () => {
    // Frame 42 (DHCP option 6) names 64.71.255.198; the gateway's MAC takes it in frame 99.
    const file = 'multi-lan-dhcp__suricata-verify__output-eve-ftp-data_input.pcap';
    const w = await whole(file);
    const gateway = 'mac:18:59:33:f4:49:1f';
    const role = (inv: InventoryJson) =>
      inv.devices
        .find((d) => d.id === gateway)
        ?.evidence?.findIndex((e) => e.protocol === 'dhcp' && e.field === 'option6');
    assert.ok(role(w.inv)! > 0, 'the whole analysis attaches the hearsay to the gateway');
    const p = await split(file, 60);
    assert.ok(
      p.hearsay?.some((h) => h.states.some((s) => s.source === 'plant/first' && !s.claimed)),
      'the first half holds it unclaimed',
    );
    const merged = inventoryFromPartial(p, opts);
    assert.equal(role(merged), role(w.inv));
    assert.deepEqual(comparable(merged), comparable(w.inv));
  },
);

test(
  'OT: modbus split in two: facts a dissector states once per flow are heard again after the cut, nothing else differs',
  { skip },
  async () => {
    const file = 'modbus__iti-ics__modbus_test.pcap';
    const w = await whole(file);
    const merged = comparable(inventoryFromPartial(await split(file, Math.floor(w.frames / 2)), opts));
    const want = comparable(w.inv);
    assert.deepEqual(merged.edges, want.edges);
    assert.deepEqual(merged.stats, { ...want.stats, observations: merged.stats.observations });
    assert.ok(merged.stats.observations >= want.stats.observations);
    let heardAgain = 0;
    for (const [i, d] of merged.devices.entries()) {
      const { evidence, identity: _i, ...rest } = d;
      const { evidence: wantEv, identity: _wi, ...wantRest } = want.devices[i]!;
      assert.deepEqual(rest, wantRest);
      // The same facts in the same order, first heard in the same frame; counted again after the cut.
      // Events are left out: their text counts per flow ("10 write request(s) so far"), and the
      // second half's analyzer starts that count again.
      const facts = (list: typeof evidence) => list!.filter((e) => e.kind !== 'event');
      const [got, exp] = [facts(evidence), facts(wantEv)];
      assert.deepEqual(
        got.map((e) => [e.kind, e.protocol, e.field, e.value, e.firstFrame, e.firstSeen]),
        exp.map((e) => [e.kind, e.protocol, e.field, e.value, e.firstFrame, e.firstSeen]),
      );
      for (const [j, e] of got.entries()) {
        assert.ok(e.count >= exp[j]!.count && e.lastSeen >= exp[j]!.lastSeen);
        if (e.count > exp[j]!.count) heardAgain++;
      }
    }
    assert.ok(heardAgain > 0, 'the per-flow facts this capture has are counted again');
  },
);

/**
 * A model of issue 19's reader: an IPv4 flow's two directions to one worker (by the address pair),
 * anything else (ARP, broadcasts, IPv6, layer 2) by its source MAC.
 */
function workerOf(b: Uint8Array, s: number, e: number, lt: number, n: number): number {
  if (lt !== 1 || e - s < 14) return 0;
  let o = s + 12;
  let type = (b[o]! << 8) | b[o + 1]!;
  while ((type === 0x8100 || type === 0x88a8) && o + 6 <= e) {
    o += 4;
    type = (b[o]! << 8) | b[o + 1]!;
  }
  let k = (b[s + 10]! << 8) | b[s + 11]!;
  const ip = o + 2;
  if (type === 0x0800 && ip + 20 <= e && (b[s]! & 1) === 0) {
    const src = ((b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!) >>> 0;
    const dst = ((b[ip + 16]! << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!) >>> 0;
    k = Math.min(src, dst) ^ Math.imul(Math.max(src, dst), 31);
  }
  return (Math.imul(k, 0x9e3779b1) >>> 0) % n;
}

for (const file of [
  'multi-lan-s7-plant__iti-ics__wrapup.pcapng',
  'modbus__iti-ics__modbus_test.pcap',
  'coap-mqtt__ndpi__coap_mqtt.pcap',
])
  test(
    `${file}: flows shared among workers, each a source, merge to the whole inventory (issue 19)`,
    { skip },
    async () => {
      const path = join(PCAPS, file);
      const w = await whole(file, createAnalyzer());
      const want = inventoryFromPartial(analyzerPartial(w.a, { site: 'hq', sensor: 'cpu' }), opts);
      for (const n of [2, 3]) {
        const workers = Array.from({ length: n }, () => createAnalyzer());
        for (const x of workers) x.beginSource();
        let frame = 0;
        await readCaptureFile(path, {
          records: (buf, s, e, h) => {
            const x = workers[workerOf(buf, s, e, h.linkType, n)]!;
            x.nextFrameNumber(++frame);
            x.record(buf, s, e, h);
          },
        });
        for (const x of workers) x.endSource({ path, format: 'pcap', frames: 0, warnings: [] });
        const parts = workers.map((x, i) =>
          analyzerPartial(x, { site: 'hq', sensor: 'cpu', worker: `w${i}` }),
        );
        assert.ok(parts.every((p) => p.devices.length > 0));
        const got = inventoryFromPartial(mergeAll(parts), opts);
        assert.deepEqual(comparable(got).devices, comparable(want).devices);
        assert.deepEqual(got.edges, want.edges);
        assert.equal(got.stats.packets, want.stats.packets);
      }
    },
  );

test('the partial of an analysis gives that analysis back, through JSON', { skip }, async () => {
  for (const file of [
    'bench-mixed__ndpi__1kxun.pcap',
    'iot-setup__iot-sentinel__HueBridge_Setup-A-2-STA.pcap',
    'multi-lan-s7-plant__iti-ics__wrapup.pcapng',
  ]) {
    const w = await whole(file, createAnalyzer());
    const p = parsePartial(JSON.stringify(analyzerPartial(w.a, { site: 'hq', sensor: 'laptop' })));
    assert.ok(p.ok);
    const back = inventoryFromPartial(p.partial, opts);
    assert.deepEqual(comparable(back), comparable(w.inv), file);
    assert.deepEqual(back.stats.sources, w.inv.stats.sources);
    assert.ok(back.devices.every((d) => d.site === 'hq' && d.sensors!.join() === 'laptop'));
    assert.ok(back.devices.some((d) => d.evidence!.some((e) => e.sources!.join() === 'hq/laptop')));
  }
});

test('a flooded analysis comes back with its overflow devices and limit counters; two such sensors add up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-partial-'));
  try {
    const a = new Analyzer({ layers: LAYERS, vendorOf, rules, limits: { maxDevices: 100 } });
    await analyzeFile(a, writeMacFlood(join(dir, 'mac.pcap'), 2000));
    const w = a.snapshot({ evidence: true });
    assert.ok(w.stats.limits !== undefined && w.devices.some((d) => d.id.startsWith('overflow:')));
    const back = inventoryFromPartial(analyzerPartial(a, { site: 'hq', sensor: 'a' }), opts);
    assert.deepEqual(comparable(back), comparable(w));
    const two = inventoryFromPartial(
      mergePartials(
        analyzerPartial(a, { site: 'hq', sensor: 'a' }),
        analyzerPartial(a, { site: 'hq', sensor: 'b' }),
      ),
      opts,
    );
    // Overflow buckets are each sensor's own; counted twice, named once.
    assert.equal(two.devices.filter((d) => d.id.startsWith('overflow:')).length, 2);
    assert.equal(two.stats.limits!.devicesAggregated, 2 * w.stats.limits!.devicesAggregated);
    assert.deepEqual(two.stats.limits!.floods, w.stats.limits!.floods);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deltas since a marker, merged shuffled and replayed, give the full partial', { skip }, async () => {
  const a = analyzer();
  const path = join(PCAPS, 'coap-mqtt__ndpi__coap_mqtt.pcap');
  const source = { site: 'hq', sensor: 's1' };
  const deltas: PartialInventory[] = [];
  let mark: PartialMarker | undefined;
  let i = 0;
  const take = () => {
    deltas.push(analyzerPartial(a, source, { since: mark }));
    mark = partialMarker(a.inventory);
  };
  a.beginSource();
  await readCaptureFile(path, {
    records: (buf, s, e, h) => {
      a.record(buf, s, e, h);
      if (++i % 97 === 0) take();
    },
  });
  take();
  const full = analyzerPartial(a, source);
  // Deltas are small: most carry a few devices, not all of them.
  assert.ok(deltas.length > 5);
  assert.ok(deltas.filter((d) => d.devices.length < full.devices.length).length > deltas.length / 2);
  const shuffled = [...deltas].reverse();
  shuffled.splice(3, 0, deltas[2]!, deltas[5]!);
  assert.deepEqual(mergeAll(shuffled), mergeAll([full]));
});

test(
  'deltas across a router decision give the inventory the full partial gives, nothing moved twice',
  { skip },
  async () => {
    // Two MACs here become routers midway: their earlier deltas still list addresses and ports they
    // later gave up to the devices behind them.
    const a = createAnalyzer();
    const source = { site: 'hq', sensor: 's1' };
    const deltas: PartialInventory[] = [];
    let mark: PartialMarker | undefined;
    let i = 0;
    a.beginSource();
    await readCaptureFile(join(PCAPS, 'bench-mixed__ndpi__1kxun.pcap'), {
      records: (buf, s, e, h) => {
        a.record(buf, s, e, h);
        if (++i % 50 === 0) {
          deltas.push(analyzerPartial(a, source, { since: mark }));
          mark = partialMarker(a.inventory);
        }
      },
    });
    deltas.push(analyzerPartial(a, source, { since: mark }));
    const o = { ...opts, generatedAt: 'now' };
    const full = inventoryFromPartial(analyzerPartial(a, source), o);
    assert.equal(full.devices.filter((d) => d.router).length, 2);
    assert.deepEqual(inventoryFromPartial(mergeAll([...deltas].reverse()), o), full);
  },
);

test('hearsay a delta sent unclaimed, claimed before a later delta, is attached once', { skip }, async () => {
  const a = analyzer();
  const source = { site: 'hq', sensor: 's1' };
  const deltas: PartialInventory[] = [];
  let mark: PartialMarker | undefined;
  let i = 0;
  a.beginSource();
  await readCaptureFile(join(PCAPS, 'multi-lan-dhcp__suricata-verify__output-eve-ftp-data_input.pcap'), {
    records: (buf, s, e, h) => {
      a.record(buf, s, e, h);
      if (++i % 20 === 0) {
        deltas.push(analyzerPartial(a, source, { since: mark }));
        mark = partialMarker(a.inventory);
      }
    },
  });
  deltas.push(analyzerPartial(a, source, { since: mark }));
  const states = deltas.flatMap((d) => d.hearsay ?? []).flatMap((h) => h.states);
  assert.ok(states.some((s) => !s.claimed) && states.some((s) => s.claimed), 'held, then claimed');
  const o = { ...opts, generatedAt: 'now' };
  const full = inventoryFromPartial(analyzerPartial(a, source), o);
  assert.deepEqual(inventoryFromPartial(mergeAll([...deltas].reverse()), o), full);
  const role = full.devices
    .find((d) => d.id === 'mac:18:59:33:f4:49:1f')!
    .evidence!.find((e) => e.protocol === 'dhcp' && e.field === 'option6')!;
  const want = a.snapshot({ evidence: true }).devices.find((d) => d.id === 'mac:18:59:33:f4:49:1f')!;
  assert.equal(role.count, want.evidence!.find((e) => e.protocol === 'dhcp' && e.field === 'option6')!.count);
});

test(
  'the same private address at two sites stays two devices; the same MAC in two layer-2 domains too',
  { skip },
  async () => {
    const file = 'multi-lan-windows__suricata-verify__smb2-ntlmssp-negotiateflags_input.pcap';
    const w = await whole(file);
    const at = (site: string, sensor: string, l2domain?: string) =>
      analyzerPartial(w.a, { site, sensor }, l2domain === undefined ? {} : { l2domain });
    const macs = w.inv.devices.filter((d) => d.mac !== null).length;
    const ipOnly = w.inv.devices.length - macs;
    assert.ok(
      macs > 0 &&
        w.inv.devices.some((d) => d.ips.some((ip) => ip.startsWith('10.') || ip.startsWith('192.168.'))),
    );

    const twoSites = inventoryFromPartial(mergePartials(at('north', 'n1'), at('south', 's1')), opts);
    assert.equal(twoSites.devices.length, 2 * w.inv.devices.length);
    for (const d of w.inv.devices) {
      const both = twoSites.devices.filter((x) => x.id.startsWith(d.id + '@'));
      assert.deepEqual(both.map((x) => x.site).sort(), ['north', 'south']);
      for (const x of both) assert.equal(x.packets, d.packets);
    }
    assert.ok(
      twoSites.edges.every((e) => e.a.split('@')[1]!.split('/')[0] === e.b.split('@')[1]!.split('/')[0]),
    );

    const twoDomains = inventoryFromPartial(
      mergePartials(at('hq', 'a', 'floor1'), at('hq', 'b', 'floor2')),
      opts,
    );
    // MACs twice (one per domain); devices known by address once, seen by both sensors, counted twice.
    assert.equal(twoDomains.devices.length, 2 * macs + ipOnly);
    const mac = w.inv.devices.find((d) => d.mac !== null)!;
    assert.deepEqual(
      twoDomains.devices.filter((d) => d.mac === mac.mac).map((d) => d.id),
      [`${mac.id}@hq/floor1`, `${mac.id}@hq/floor2`],
    );

    const twoSensors = inventoryFromPartial(mergePartials(at('hq', 'a'), at('hq', 'b')), opts);
    assert.equal(twoSensors.devices.length, w.inv.devices.length);
    for (const d of twoSensors.devices) {
      const one = w.inv.devices.find((x) => x.id === d.id)!;
      assert.deepEqual(d.sensors, ['a', 'b']);
      assert.equal(d.packets, 2 * one.packets);
      assert.equal(d.firstSeen, one.firstSeen);
    }
  },
);

test("a person's newest edit outranks every fact, whichever order edits arrive in", { skip }, async () => {
  const w = await whole('profinet-dcp__iti-ics__ChangeIPUsingDCP.pcap');
  const p = analyzerPartial(w.a, { site: 'hq', sensor: 'a' });
  const key = p.devices.find((d) => d.kind === 'mac')!.key;
  const edit = (value: string | null, time: number, author = 'ann') => ({
    ...p,
    edits: [{ device: key, field: 'name' as const, value, time, author }],
  });
  const older = edit('old name', 1);
  const newer = edit('boiler PLC', 2);
  for (const m of [mergePartials(older, newer), mergePartials(newer, older)]) {
    const d = inventoryFromPartial(m, opts).devices.find((x) => x.id === key.split('/')[2]);
    assert.equal(d!.hostname, 'boiler PLC');
    assert.deepEqual(d!.edited, ['name']);
  }
  // A newer clear removes the edit: the capture's own name comes back.
  const cleared = inventoryFromPartial(mergePartials(newer, edit(null, 3)), opts);
  const plain = inventoryFromPartial(p, opts);
  assert.deepEqual(cleared.devices, plain.devices);
});

test('a hostile partial is rejected with a reason, never thrown', () => {
  const good = analyzerPartialOfNothing();
  const cases: [unknown, RegExp][] = [
    ['{"version":', /^not JSON/],
    [{ ...good, version: 'glasspane.partial/9' }, /version/],
    [{ ...good, devices: 'x' }, /devices/],
    [
      { ...good, devices: [device({ key: 'hq/floor/mac:02:00:00:00:00:01', l2domain: 'other' })] },
      /device key/,
    ],
    [{ ...good, devices: [device({ site: 'a/b' })] }, /site/],
    [{ ...good, devices: [device({}, { packetsSent: -1 })] }, /packetsSent/],
    [{ ...good, devices: [device({}, { first: Number.NaN })] }, /first/],
    [{ ...good, devices: [device({}, { protocols: ['x'.repeat(100_000)] })] }, /protocols/],
    [{ ...good, devices: [device({}, { facts: new Array(2049).fill(fact()) })] }, /facts/],
    [{ ...good, devices: [device({}, { source: '../../etc' })] }, /source/],
    [
      { ...good, devices: [device({}, { facts: [{ ...fact(), obs: { ...fact().obs, kind: 'bogus' } }] })] },
      /kind/,
    ],
    [{ ...good, edges: [{ a: 'z', b: 'a', states: [] }] }, /edges/],
    [
      {
        ...good,
        devices: [
          device(
            {},
            {
              ips: [
                { ip: '<script>', seq: 0, packets: 1, bytes: 1, first: 1, last: 1, arp: false, served: [] },
              ],
            },
          ),
        ],
      },
      /ips\.0\.ip: not an IPv4 or IPv6 address/,
    ],
    [{ ...good, dns: [{ site: 'hq', ip: '999.1.1.1', names: ['x'] }] }, /dns\.0\.ip/],
    [
      {
        ...good,
        hearsay: [
          {
            site: 'hq',
            ip: 'gateway',
            states: [{ source: 'hq/a', claimed: false, facts: [], protocols: [] }],
          },
        ],
      },
      /hearsay\.0\.ip/,
    ],
    [
      {
        ...good,
        hearsay: [
          {
            site: 'hq',
            ip: '10.0.0.1',
            states: [{ source: 'hq/a', claimed: false, facts: new Array(9).fill(fact()), protocols: [] }],
          },
        ],
      },
      /hearsay\.0\.states\.0\.facts/,
    ],
    [{ ...good, hearsay: [{ site: 'hq', ip: '10.0.0.1', states: [] }] }, /hearsay\.0\.states/],
    [JSON.parse('{"version":"glasspane.partial/1","__proto__":{"x":1}}'), /sources/],
  ];
  for (const [input, reason] of cases) {
    const r = parsePartial(input);
    assert.equal(r.ok, false, JSON.stringify(input).slice(0, 100) + String(reason));
    if (!r.ok) assert.match(r.reason, reason);
  }
  assert.ok(parsePartial(good).ok);
  assert.ok(parsePartial({ ...good, devices: [device({})] }).ok);
});

function analyzerPartialOfNothing() {
  return { version: 'glasspane.partial/1', sources: [], devices: [], edges: [], dns: [], edits: [] };
}

function fact() {
  return {
    seq: 0,
    firstFrame: 1,
    first: 1,
    last: 1,
    count: 1,
    obs: {
      kind: 'hostname',
      name: 'plc',
      device: { mac: null, ip: null },
      protocol: 'dhcp',
      field: 'option12',
      frame: 1,
      ts: 1,
    },
  };
}

function device(over: Record<string, unknown>, state: Record<string, unknown> = {}) {
  return {
    key: 'hq/hq/mac:02:00:00:00:00:01',
    kind: 'mac',
    site: 'hq',
    l2domain: 'hq',
    id: 'mac:02:00:00:00:00:01',
    ...over,
    states: [
      {
        source: 'hq/a',
        first: 1,
        last: 2,
        packetsSent: 1,
        packetsReceived: 0,
        bytesSent: 60,
        bytesReceived: 0,
        router: false,
        routed: false,
        via: [],
        ips: [],
        protocols: [],
        vlans: [],
        servedTcp: [],
        facts: [],
        factsDropped: 0,
        ...state,
      },
    ],
  };
}

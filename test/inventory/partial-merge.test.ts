/**
 * Partial inventories merge as a join (shared/inventory/partial-merge.ts): over random partials the
 * merge is commutative, associative and idempotent, and survives JSON; the inventory a merge yields
 * does not depend on the order partials came in. Devices stay apart across sites and layer-2 domains,
 * a person's newest edit wins over every fact, and a hostile partial is rejected with a reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  PARTIAL_VERSION,
  emptyPartial,
  inventoryFromPartial,
  mergeAll,
  mergePartials,
  parsePartial,
  PartialAccumulator,
  type PartialDevice,
  type PartialDeviceState,
  type PartialEdge,
  type PartialInventory,
  withoutSite,
} from '../../shared/inventory/partial';
import type { Observation } from '../../shared/model/observation';
import { Capped } from '../../shared/inventory/partial-accumulator';

const SOURCES = ['s1/a', 's1/b', 's1/a/w1', 's2/c#r2'];
const siteOf = (src: string) => src.split('/')[0]!;
const MACS = ['02:00:00:00:00:01', '02:00:00:00:00:02', '00:1b:1b:00:00:03'];
const IPS = ['10.0.0.1', '10.0.0.2', '192.168.1.9', 'fd00::1'];

const time = fc.integer({ min: 1_600_000_000_000, max: 1_600_000_100_000 });
const small = fc.nat({ max: 1000 });
const obsArb: fc.Arbitrary<Observation> = fc
  .oneof(
    fc.record({
      kind: fc.constant('hostname' as const),
      name: fc.constantFrom('plc-1', 'printer', 'cam'),
      field: fc.constantFrom('option12', 'sysName'),
    }),
    fc.record({
      kind: fc.constant('identity' as const),
      attr: fc.constantFrom('vendor' as const, 'model' as const, 'firmware' as const),
      value: fc.constantFrom('Siemens', 'S7-1200', 'V4.2', 'Axis'),
      field: fc.constant('ident'),
    }),
    fc.record({
      kind: fc.constant('service' as const),
      transport: fc.constantFrom('tcp' as const, 'udp' as const),
      port: fc.constantFrom(102, 502, 80),
      name: fc.constantFrom('s7', 'modbus', 'http'),
      field: fc.constant('port'),
    }),
  )
  .map(
    (o) =>
      ({
        ...o,
        device: { mac: null, ip: null },
        protocol: o.kind === 'service' ? o.name : 'dhcp',
        frame: 1,
        ts: 1_600_000_000_000,
      }) as Observation,
  );

function stateArb(source: string): fc.Arbitrary<PartialDeviceState> {
  return fc
    .record({
      first: fc.option(time, { nil: null }),
      span: small,
      packetsSent: small,
      packetsReceived: small,
      bytesSent: small,
      bytesReceived: small,
      router: fc.boolean(),
      routed: fc.boolean(),
      ips: fc.uniqueArray(
        fc.record({
          ip: fc.constantFrom(...IPS),
          seq: fc.nat({ max: 5 }),
          packets: small,
          arp: fc.boolean(),
        }),
        { selector: (u) => u.ip, maxLength: 3 },
      ),
      protocols: fc.uniqueArray(fc.constantFrom('arp', 'dhcp', 'modbus', 's7comm'), { maxLength: 3 }),
      vlans: fc.uniqueArray(fc.nat({ max: 4095 }), { maxLength: 2 }),
      servedTcp: fc.uniqueArray(fc.constantFrom(80, 102, 502), { maxLength: 2 }),
      routerServedTcp: fc.option(fc.uniqueArray(fc.constantFrom(22, 80), { maxLength: 2 }), {
        nil: undefined,
      }),
      facts: fc.array(
        fc.record({
          seq: fc.nat({ max: 9 }),
          frame: fc.nat({ max: 50 }),
          at: time,
          count: small,
          obs: obsArb,
        }),
        { maxLength: 4 },
      ),
    })
    .map((r) => ({
      source,
      first: r.first,
      last: r.first === null ? null : r.first + r.span,
      packetsSent: r.packetsSent,
      packetsReceived: r.packetsReceived,
      bytesSent: r.bytesSent,
      bytesReceived: r.bytesReceived,
      router: r.router,
      routed: r.routed,
      via: [],
      ips: r.ips.map((u) => ({
        ...u,
        bytes: u.packets * 60,
        first: r.first,
        last: r.first,
        served: [],
      })),
      protocols: r.protocols,
      vlans: r.vlans,
      servedTcp: r.servedTcp,
      ...(r.routerServedTcp !== undefined ? { routerServedTcp: r.routerServedTcp } : {}),
      facts: r.facts.map((f) => ({
        seq: f.seq,
        firstFrame: f.frame,
        first: f.at,
        last: f.at + 5,
        count: f.count + 1,
        obs: f.obs,
      })),
      factsDropped: 0,
    }));
}

const deviceArb: fc.Arbitrary<PartialDevice> = fc
  .record({
    source: fc.constantFrom(...SOURCES),
    mac: fc.option(fc.constantFrom(...MACS), { nil: null }),
    ip: fc.constantFrom(...IPS),
    l2: fc.constantFrom('dom1', null),
  })
  .chain(({ source, mac, ip, l2 }) => {
    const site = siteOf(source);
    const l2domain = l2 ?? site;
    return stateArb(source).map((state): PartialDevice =>
      mac !== null
        ? {
            key: `${site}/${l2domain}/mac:${mac}`,
            kind: 'mac',
            site,
            l2domain,
            id: `mac:${mac}`,
            states: [state],
          }
        : { key: `${site}/ip:${ip}`, kind: 'ip', site, l2domain: null, id: `ip:${ip}`, states: [state] },
    );
  });

const partialArb: fc.Arbitrary<PartialInventory> = fc
  .record({
    devices: fc.array(deviceArb, { maxLength: 6 }),
    edges: fc.array(
      fc.record({
        source: fc.constantFrom(...SOURCES),
        x: fc.constantFrom(...MACS),
        y: fc.constantFrom(...IPS),
        n: small,
        m: small,
        at: time,
        protocols: fc.uniqueArray(fc.constantFrom('tcp', 'modbus'), { maxLength: 2 }),
      }),
      { maxLength: 4 },
    ),
    dns: fc.array(
      fc.record({
        site: fc.constantFrom('s1', 's2'),
        ip: fc.constantFrom(...IPS),
        name: fc.constantFrom('a.lan', 'b.lan', 'c.lan'),
        // When a worker learnt it, or a source that does not say.
        born: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
    edits: fc.array(
      fc.record({
        device: fc.constantFrom(...MACS).map((m) => `s1/s1/mac:${m}`),
        field: fc.constantFrom('name' as const, 'type' as const, 'notes' as const),
        value: fc.option(fc.constantFrom('boiler PLC', 'plc', 'kept'), { nil: null }),
        time: fc.integer({ min: 0, max: 5 }),
        author: fc.constantFrom('ann', 'bob'),
      }),
      { maxLength: 3 },
    ),
    hearsay: fc.array(
      fc.record({
        source: fc.constantFrom(...SOURCES),
        ip: fc.constantFrom(...IPS),
        claimed: fc.boolean(),
        frame: fc.nat({ max: 50 }),
        at: time,
        count: small,
        obs: obsArb,
      }),
      { maxLength: 3 },
    ),
    packets: small,
  })
  .map((r) => {
    const edges: PartialEdge[] = r.edges.map((e) => {
      const site = siteOf(e.source);
      const [a, b] = [`${site}/${site}/mac:${e.x}`, `${site}/ip:${e.y}`].sort();
      return {
        a: a!,
        b: b!,
        states: [
          {
            source: e.source,
            packetsAtoB: e.n,
            packetsBtoA: e.m,
            bytesAtoB: e.n * 60,
            bytesBtoA: e.m * 60,
            first: e.at,
            last: e.at + 1,
            protocols: e.protocols,
          },
        ],
      };
    });
    const p: PartialInventory = {
      version: PARTIAL_VERSION,
      sources: [],
      devices: r.devices,
      edges,
      dns: r.dns.map((d) => ({
        site: d.site,
        ip: d.ip,
        names: [d.name],
        ...(d.born === undefined ? {} : { born: [d.born] }),
      })),
      edits: r.edits,
      hearsay: r.hearsay.map((h) => ({
        site: siteOf(h.source),
        ip: h.ip,
        states: [
          {
            source: h.source,
            claimed: h.claimed,
            facts: [
              { seq: 0, firstFrame: h.frame, first: h.at, last: h.at + 1, count: h.count + 1, obs: h.obs },
            ],
            protocols: [h.obs.protocol],
          },
        ],
      })),
    };
    // Canonical form, as every partial from the network is once checked.
    const parsed = parsePartial(p);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.partial;
  });

const runs = { numRuns: 300 };

test('merge is commutative', () => {
  fc.assert(
    fc.property(partialArb, partialArb, (a, b) => {
      assert.deepEqual(mergePartials(a, b), mergePartials(b, a));
    }),
    runs,
  );
});

test('merge is associative', () => {
  fc.assert(
    fc.property(partialArb, partialArb, partialArb, (a, b, c) => {
      assert.deepEqual(mergePartials(mergePartials(a, b), c), mergePartials(a, mergePartials(b, c)));
    }),
    runs,
  );
});

test('merge is idempotent: a partial merged with itself, or replayed into a merge, changes nothing', () => {
  fc.assert(
    fc.property(partialArb, partialArb, (a, b) => {
      assert.deepEqual(mergePartials(a, a), a);
      const ab = mergePartials(a, b);
      assert.deepEqual(mergePartials(ab, b), ab);
      assert.deepEqual(mergePartials(emptyPartial(), a), a);
    }),
    runs,
  );
});

test('a site dropped from a merge: what merging the rest gives, nothing of it left, the others untouched', () => {
  fc.assert(
    fc.property(partialArb, partialArb, (a, b) => {
      const merged = mergePartials(a, b);
      const rest = withoutSite(merged, 's1');
      // The console replaces a recreated site's stream this way: as if its sources never spoke.
      assert.deepEqual(rest, mergePartials(withoutSite(a, 's1'), withoutSite(b, 's1')));
      const keys = [
        ...rest.devices.map((d) => d.key),
        ...rest.edges.flatMap((e) => [e.a, e.b]),
        ...rest.edits.map((e) => e.device),
      ];
      assert.ok(keys.every((k) => !k.startsWith('s1/')));
      assert.ok(rest.dns.every((d) => d.site !== 's1') && rest.sources.every((x) => x.site !== 's1'));
      assert.ok((rest.hearsay ?? []).every((h) => h.site !== 's1'));
      assert.deepEqual(
        rest.devices,
        merged.devices.filter((d) => d.site !== 's1'),
      );
      assert.deepEqual(withoutSite(merged, 'elsewhere'), merged);
    }),
    runs,
  );
});

test('a partial survives JSON, and parsing what was merged gives it back', () => {
  fc.assert(
    fc.property(partialArb, partialArb, (a, b) => {
      const m = mergePartials(a, b);
      const r = parsePartial(JSON.stringify(m));
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.deepEqual(r.partial, m);
    }),
    runs,
  );
});

test('the inventory of a merge does not depend on the order, and merging leaves its inputs alone', () => {
  fc.assert(
    fc.property(fc.array(partialArb, { minLength: 1, maxLength: 4 }), (ps) => {
      const before = JSON.stringify(ps);
      const o = { generatedAt: 'x', evidence: true };
      const one = inventoryFromPartial(mergeAll(ps), o);
      const other = inventoryFromPartial(mergeAll([...ps].reverse()), o);
      assert.deepEqual(one, other);
      assert.equal(JSON.stringify(ps), before);
      // Counters add over sources: a device's total is the sum of every source's own maximum.
      const perSource = new Map<string, number>();
      for (const p of ps)
        for (const d of p.devices)
          for (const s of d.states) {
            if (d.kind !== 'mac') continue;
            const id = `${d.id}@${d.site}/${d.l2domain}`;
            const k = id + ' ' + s.source;
            perSource.set(k, Math.max(perSource.get(k) ?? 0, s.packetsReceived));
          }
      const expected = new Map<string, number>();
      for (const [k, n] of perSource) {
        const id = k.split(' ')[0]!;
        expected.set(id, (expected.get(id) ?? 0) + n);
      }
      const got = inventoryFromPartial(mergeAll(ps), { ids: 'qualified' });
      for (const [id, n] of expected)
        assert.equal(got.devices.find((d) => d.id === id)?.packetsReceived, n, id);
    }),
    { numRuns: 150 },
  );
});

test('an accumulator fed partials one by one, in any order and with replays, holds their merge', () => {
  fc.assert(
    fc.property(
      fc.array(partialArb, { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (ps, replays) => {
        const acc = new PartialAccumulator();
        const order = [...ps].reverse();
        for (const r of replays) order.push(ps[r % ps.length]!);
        for (const p of order) acc.add(p);
        assert.deepEqual(acc.partial(), mergeAll(ps));
        // What changed: every device key the partials named, once.
        assert.deepEqual(acc.changed(), [...new Set(order.flatMap((p) => devicesNamed(p)))].sort());
        assert.deepEqual(acc.changed(), []);
      },
    ),
    runs,
  );
});

function devicesNamed(p: PartialInventory): string[] {
  return [
    ...p.devices.map((d) => d.key),
    ...p.edges.flatMap((e) => [e.a, e.b]),
    ...p.edits.map((e) => e.device),
  ];
}

test('past its cap a merge keeps the smallest keys, whatever order they came in', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.nat({ max: 100 })), { maxLength: 200 }),
      fc.integer({ min: 1, max: 20 }),
      (entries, cap) => {
        const c = new Capped<number>(cap, Math.max);
        for (const [k, v] of entries) c.add(k, v);
        const all = new Map<string, number>();
        for (const [k, v] of entries) all.set(k, Math.max(all.get(k) ?? 0, v));
        const want = [...all.entries()]
          .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
          .slice(0, cap)
          .map((e) => e[1]);
        assert.deepEqual(c.sorted(), want);
      },
    ),
    runs,
  );
});

/** Every leaf of a JSON value, by path. */
function leaves(
  v: unknown,
  path: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) leaves(x, [...path, Array.isArray(v) ? Number(k) : k], out);
    if (Object.keys(v).length === 0) out.push(path);
  } else out.push(path);
  return out;
}

const NASTY = [
  -1,
  0.5,
  2 ** 53,
  1e308,
  '',
  'x'.repeat(5000),
  null,
  {},
  [],
  '__proto__',
  '::',
  '999.1.1.1',
  true,
  'mac:zz',
];

test('a partial with fields swapped for hostile values is refused, or merges and yields an inventory without throwing', () => {
  let refused = 0;
  let accepted = 0;
  fc.assert(
    fc.property(
      partialArb,
      fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }),
      (p, picks) => {
        const json = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
        const paths = leaves(json);
        for (const [i, j] of picks) {
          const path = paths[i % paths.length]!;
          if (path.length === 0) continue;
          let at = json as Record<string | number, unknown>;
          for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
          at[path[path.length - 1]!] = NASTY[j % NASTY.length];
        }
        const r = parsePartial(JSON.stringify(json));
        if (!r.ok) {
          assert.match(r.reason, /^not a partial inventory|does not match/);
          refused++;
          return;
        }
        accepted++;
        assert.deepEqual(mergePartials(r.partial, r.partial), r.partial);
        inventoryFromPartial(mergePartials(r.partial, p), { evidence: true });
      },
    ),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
  );
  assert.ok(refused > 100 && accepted > 10, `${refused} refused, ${accepted} accepted`);
});

test('DNS names merge in the order they were learnt (earliest stamp per name), then by name', () => {
  const dns = (names: string[], born?: number[]): PartialInventory => ({
    ...emptyPartial(),
    dns: [{ site: 's1', ip: '10.0.0.1', names, ...(born === undefined ? {} : { born }) }],
  });
  const parts = [
    dns(['z.lan'], [4096]),
    dns(['a.lan', 'm.lan'], [8192, 100]),
    dns(['a.lan'], [9000]),
    dns(['b.lan']), // a source that does not say when: after every name whose time is known
  ];
  for (const order of [
    [0, 1, 2, 3],
    [3, 2, 1, 0],
    [2, 0, 3, 1],
  ]) {
    const m = mergeAll(order.map((i) => parts[i]!));
    assert.deepEqual(m.dns, [
      {
        site: 's1',
        ip: '10.0.0.1',
        names: ['m.lan', 'z.lan', 'a.lan', 'b.lan'],
        born: [100, 4096, 8192, Number.MAX_SAFE_INTEGER],
      },
    ]);
  }
  // Past the cap, the names learnt first are kept (as one analysis keeps them), not the first by name.
  const many = Array.from({ length: 20 }, (_, i) => dns([`n${String(i).padStart(2, '0')}.lan`], [1000 - i]));
  const kept = mergeAll(many).dns[0]!;
  assert.equal(kept.names.length, 16);
  assert.deepEqual(kept.names.slice(0, 2), ['n19.lan', 'n18.lan']);
  assert.ok(!kept.names.includes('n00.lan'));
});

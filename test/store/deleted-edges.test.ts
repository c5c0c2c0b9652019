/**
 * Edges a router's move left with nothing (the MAC's conversations through addresses it does not
 * own went to those addresses' devices) are deleted from the store in the commit that hears of it;
 * edges the inventory's cap evicted keep their rows (a recording remembers beyond the cap). Real
 * routed captures recorded with a commit every few frames, as a long capture is, end with the
 * store's edges (reopened) equal to the live inventory's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../src-main/store/store';
import { pairKey } from '../../src-main/store/edge-rows';
import type { EdgeJson } from '../../shared/model/inventory';
import { recordCapture } from '../helpers/record-capture';
import { corpusAvailable } from '../helpers/corpus';
import { arp, ascii, ethernet, tcpFrame, udpFrame } from '../helpers/packets';
import { Session, T0, tempDb } from './session';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is not here';

const byPair = (edges: readonly EdgeJson[]) => new Map(edges.map((e) => [pairKey(e.a, e.b), e]));
const rows = (s: Store) =>
  (s.db.prepare('SELECT a, b FROM edges').all() as { a: string; b: string }[]).map((r) => pairKey(r.a, r.b));

// Routed captures whose gateways turn out to route after a commit wrote edges they are credited with.
for (const [file, routers] of [
  ['multi-lan-mixed__zeek__wikipedia.pcap', 1],
  ['bench-mixed__ndpi__1kxun.pcap', 2],
  ['pcapng-multi-if__ndpi__sites.pcapng', 3],
] as const) {
  test(
    `${file} recorded a commit every 10 frames: the store's edges are the live inventory's`,
    { skip },
    async () => {
      const path = tempDb();
      // Merged views aside: the store's edges are then its rows, one per engine edge.
      const store = new Store(path, { autoMerge: false });
      const committed = new Set<string>();
      const { a } = await recordCapture(file, store, 10, (r) => {
        for (const e of r.stored?.edges ?? []) committed.add(pairKey(e.a, e.b));
      });
      const live = a.snapshot();
      assert.equal(live.devices.filter((d) => d.router).length, routers);
      const gone = [...committed].filter((k) => !byPair(live.edges).has(k));
      assert.ok(gone.length > 0, 'no edge the store wrote was found wrong later: the case is not exercised');
      const check = (s: Store, what: string) => {
        const shown = byPair(s.edges());
        assert.equal(s.edges().length, live.edges.length, `${what}: one edge per pair`);
        assert.deepEqual([...shown.keys()].sort(), [...byPair(live.edges).keys()].sort(), `${what}: pairs`);
        assert.deepEqual(rows(s).sort(), [...shown.keys()].sort(), `${what}: rows`);
        for (const e of live.edges)
          assert.deepEqual(shown.get(pairKey(e.a, e.b)), e, `${what}: ${e.a} ${e.b}`);
        assert.equal(s.snapshot().edges.length, live.edges.length, `${what}: snapshot`);
      };
      check(store, 'as recorded');
      store.close();
      const again = new Store(path, { autoMerge: false });
      check(again, 'reopened');
      again.close();
    },
  );
}

const GW = { mac: '02:00:00:00:0b:01', ip: '10.0.0.1' };
const HOST = { mac: '02:00:00:00:0b:03', ip: '10.0.0.3' };
// A host that only ever talks to a remote server, through the gateway.
const SHOPPER = { mac: '02:00:00:00:0b:04', ip: '10.0.0.4' };
const SERVER = { mac: GW.mac, ip: '203.0.113.10' };
const id = (h: { mac: string }) => 'mac:' + h.mac;
const frame = (data: Uint8Array, i: number) => ({ data, ts: T0 + i * 10 });

/** Before the gateway is known to route: its own address (ARP, NTP to HOST), and SHOPPER's web visit. */
function beforeRouting() {
  return [
    ethernet(HOST.mac, GW.mac, 0x0806, arp(2, GW.mac, GW.ip, HOST.mac, HOST.ip)),
    udpFrame({ ...GW, port: 123 }, { ...HOST, port: 123 }, ascii('own')),
    tcpFrame({ ...SHOPPER, port: 40000 }, { ...SERVER, port: 80 }, ascii('GET / HTTP/1.1\r\n\r\n')),
    tcpFrame({ ...SERVER, port: 80 }, { ...SHOPPER, port: 40000 }, ascii('HTTP/1.1 200 OK\r\n\r\n')),
  ].map(frame);
}

/** Four more remote addresses behind the gateway's MAC: it routes. */
function routing() {
  return [1, 2, 3, 4].map((i) =>
    frame(
      udpFrame({ mac: GW.mac, ip: `198.51.100.${i}`, port: 123 }, { ...HOST, port: 123 }, ascii('t')),
      10 + i,
    ),
  );
}

test('a gateway found to route: the edge it was credited with for a remote server goes from the store', () => {
  const path = tempDb();
  const s = new Session(path, { autoMerge: false });
  s.feed(beforeRouting());
  const first = s.tick()!;
  const wrong = pairKey(id(GW), id(SHOPPER));
  assert.ok(byPair(first.edges).has(wrong), 'before it routes, the gateway speaks for the server');
  assert.ok(byPair(s.store.edges()).has(wrong));

  s.feed(routing());
  const r = s.rec.tick()!;
  const second = r.stored!;
  assert.deepEqual(
    r.delta!.edgesDeleted.map((e) => pairKey(e.a, e.b)),
    [wrong],
    'the change stream says which edge was wrong',
  );
  assert.ok(
    second.edgesRemoved.some((e) => pairKey(e.a, e.b) === wrong),
    'the hosts are told it went',
  );
  assert.ok(byPair(second.edges).has(pairKey(id(SHOPPER), 'ip:203.0.113.10')), 'the server has it now');
  const live = byPair(s.analyzer.snapshot().edges);
  assert.ok(!live.has(wrong));
  // The gateway keeps its edge with HOST (its ARP reply and own NTP), less what went through the
  // other addresses.
  assert.equal(live.get(pairKey(id(GW), id(HOST)))!.packets, 2);
  assert.deepEqual(byPair(s.store.edges()), live);
  s.close();

  const again = new Store(path, { autoMerge: false });
  assert.deepEqual(byPair(again.edges()), live);
  again.close();
});

test('a later session that finds the gateway routing deletes the wrong edge an earlier one wrote, either way round', () => {
  const path = tempDb();
  // The first session met SHOPPER before the gateway: its row runs SHOPPER -> gateway.
  const one = new Session(path, { autoMerge: false });
  one.feed(beforeRouting().slice(2));
  one.close();
  const check = new Store(path, { autoMerge: false });
  assert.deepEqual(
    check.db.prepare('SELECT a, b FROM edges').all(),
    [{ a: id(SHOPPER), b: id(GW) }],
    'the first session wrote the wrong edge',
  );
  check.close();

  // The second meets the gateway first (gateway -> SHOPPER), writes that, then sees it route.
  const two = new Session(path, { autoMerge: false });
  two.feed(beforeRouting());
  two.tick();
  assert.equal(
    two.store.db
      .prepare('SELECT count(*) FROM edges WHERE a IN (?, ?) AND b IN (?, ?)')
      .pluck()
      .get(id(GW), id(SHOPPER), id(GW), id(SHOPPER)) as number,
    2,
    'the pair is stored both ways',
  );
  two.feed(routing());
  two.tick();
  const live = byPair(two.analyzer.snapshot().edges);
  two.close();
  const after = new Store(path, { autoMerge: false });
  const shown = byPair(after.edges());
  assert.ok(!shown.has(pairKey(id(GW), id(SHOPPER))), 'neither row is left');
  assert.deepEqual([...shown.keys()].sort(), [...live.keys()].sort());
  after.close();
});

test('edges the inventory cap evicts keep their rows; the hosts are told they went', () => {
  const path = tempDb();
  const s = new Session(path, { autoMerge: false });
  s.analyzer.inventory.maxEdges = 100;
  const pc = { mac: '02:00:00:00:0c:01', ip: '10.0.0.1' };
  const peer = (i: number) => ({
    mac: `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`,
    ip: `10.0.1.${i}`,
  });
  s.feed(
    Array.from({ length: 150 }, (_, i) =>
      frame(udpFrame({ ...pc, port: 1 }, { ...peer(i), port: 2 }, new Uint8Array(1)), i),
    ),
  );
  s.tick();
  assert.equal(s.store.edges().length, 150);
  assert.equal(s.analyzer.inventory.trimEdges(0), 60);
  const r = s.rec.tick()!;
  assert.equal(r.delta!.edgesRemoved.length, 60);
  assert.deepEqual(r.delta!.edgesDeleted, [], 'evicted, not wrong');
  assert.equal(r.stored!.edgesRemoved.length, 60, 'the hosts drop them from view');
  assert.equal(s.analyzer.snapshot().edges.length, 90);
  assert.equal(s.store.edges().length, 150, 'their rows stay');
  s.close();
  const again = new Store(path, { autoMerge: false });
  assert.equal(again.edges().length, 150);
  assert.ok(
    again.edges().some((e) => e.b === id(peer(0)) || e.a === id(peer(0))),
    'the idlest is kept on disk',
  );
  again.close();
});

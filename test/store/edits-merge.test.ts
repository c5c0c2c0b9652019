import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINKTYPE_RAW } from '../../shared/decode/linktypes';
import { ipv4, udp } from '../helpers/packets';
import { MIN, Session, T0, announce, chat, host, tempDb, type Host } from './session';

const A = host(10);
const B = host(11);
const C = host(12);
const id = (h: Host) => 'mac:' + h.mac;

/** A router: one MAC that sources many addresses (the engine calls it 'router'). */
const GW = host(1);
function routed(n: number, ts: number) {
  return chat({ mac: GW.mac, ip: `192.168.7.${n}` }, A, ts);
}

function traffic(): { data: Uint8Array; ts: number }[] {
  return [
    chat(A, B, T0),
    chat(B, C, T0 + 1000),
    chat(A, C, T0 + 2000),
    ...[1, 2, 3, 4, 5, 6].map((n) => routed(n, T0 + 3000 + n)),
  ];
}

test('manual edits outrank the engine and survive re-analysis into the same database', () => {
  const path = tempDb();
  const s = new Session(path);
  s.feed(traffic());
  s.rec.tick();
  assert.equal(s.store.device(id(GW))!.type, 'router', 'the engine’s own call');
  const b = s.rec.edit(id(GW), 'type', 'firewall');
  assert.equal(b.upserts.length, 1);
  assert.equal(b.upserts[0]!.type, 'firewall');
  s.rec.edit(id(GW), 'name', 'edge-fw');
  s.rec.edit(id(GW), 'vendor', 'Acme Networks');
  s.rec.edit(id(GW), 'notes', 'rack 3');
  s.rec.edit(id(GW), 'authorization', 'authorized');
  s.rec.edit(id(A), 'authorization', 'unauthorized');
  assert.throws(() => s.rec.edit(id(A), 'authorization', 'maybe'), RangeError);
  assert.throws(() => s.rec.edit(id(A), 'firmware' as 'name', 'x'), RangeError);
  s.close();

  // Analyse the same traffic again with a new engine: the engine says 'router' again, the person still wins.
  const again = new Session(path);
  again.feed(traffic());
  const batch = again.rec.tick()!;
  const gw = batch.upserts.find((d) => d.id === id(GW))!;
  assert.equal(gw.type, 'firewall');
  assert.equal(gw.hostname, 'edge-fw');
  assert.equal(gw.vendor, 'Acme Networks');
  assert.equal(gw.notes, 'rack 3');
  assert.equal(gw.authorization, 'authorized');
  assert.equal(again.store.rawDevice(id(GW))!.type, 'router', 'the engine’s value is kept underneath');
  assert.equal(again.store.device(id(A))!.authorization, 'unauthorized');
  assert.equal(again.store.device(id(B))!.authorization, 'unknown');
  // The same capture twice does not count its packets twice.
  assert.equal(again.store.rawDevice(id(A))!.packetsSent, 2);

  const manual = again.store.timeline(id(GW)).filter((t) => t.source === 'manual');
  assert.deepEqual(
    manual.map((t) => [t.field, t.old, t.new]),
    [
      ['type', 'router', 'firewall'],
      ['name', null, 'edge-fw'],
      ['vendor', null, 'Acme Networks'],
      ['notes', null, 'rack 3'],
      ['authorization', 'unknown', 'authorized'],
    ],
  );
  // Clearing an edit gives the engine its say back.
  again.rec.edit(id(GW), 'type', null);
  assert.equal(again.store.device(id(GW))!.type, 'router');
  again.close();
});

test('merge folds one device into another; unmerge restores both, and survives a restart', () => {
  const path = tempDb();
  const s = new Session(path);
  s.feed(traffic());
  s.rec.tick();
  const edgeAC = s.store.edges().find((e) => [e.a, e.b].sort().join() === [id(A), id(C)].sort().join())!;
  const edgeBC = s.store.edges().find((e) => [e.a, e.b].sort().join() === [id(B), id(C)].sort().join())!;

  const m = s.rec.merge(id(A), id(B));
  assert.deepEqual(m.removed, [id(B)]);
  const a = m.upserts.find((d) => d.id === id(A))!;
  assert.deepEqual(a.aliases, [id(B)]);
  assert.deepEqual([...a.ips].sort(), [A.ip, B.ip].sort());
  const rawA = s.store.rawDevice(id(A))!;
  const rawB = s.store.rawDevice(id(B))!;
  assert.equal(a.packets, rawA.packets + rawB.packets);
  assert.ok(!s.store.devices().some((d) => d.id === id(B)));
  // A-B became a self-loop and is gone; A-C and B-C are one edge now.
  const edges = s.store.edges();
  assert.ok(!edges.some((e) => e.a === id(B) || e.b === id(B)));
  const ac = edges.filter((e) => [e.a, e.b].sort().join() === [id(A), id(C)].sort().join());
  assert.equal(ac.length, 1);
  assert.equal(ac[0]!.packets, edgeAC.packets + edgeBC.packets);
  assert.ok(
    m.edges.some((e) => e.packets === edgeAC.packets + edgeBC.packets),
    'the batch carries the merged edge',
  );
  // New traffic to the merged-away id lands on the device it was merged into.
  s.feed([chat(B, C, T0 + 5000)]);
  const next = s.rec.tick()!;
  assert.ok(next.upserts.some((d) => d.id === id(A)));
  assert.ok(!next.upserts.some((d) => d.id === id(B)));
  assert.deepEqual(
    s.store
      .timeline(id(A))
      .filter((t) => t.field === 'merge')
      .map((t) => [t.new, t.source]),
    [[id(B), 'manual']],
  );
  s.close();

  const r = new Session(path);
  assert.deepEqual(r.store.device(id(B))!.id, id(A), 'a merge is remembered');
  const u = r.rec.unmerge(id(B));
  assert.deepEqual(u.upserts.map((d) => d.id).sort(), [id(A), id(B)].sort());
  assert.deepEqual(r.store.device(id(A))!.ips, [A.ip]);
  assert.equal(r.store.device(id(B))!.id, id(B));
  assert.equal(r.store.edges().filter((e) => [e.a, e.b].includes(id(C))).length, 2);
  assert.throws(() => r.rec.unmerge(id(B)), RangeError);
  r.close();
});

test('an address-only device is merged automatically into the MAC device that shows its address; unmerge sticks', () => {
  const path = tempDb();
  const s = new Session(path);
  // Raw IP (no Ethernet): 10.0.0.10 is known by its address alone.
  const rawIp = ipv4(A.ip, '10.0.0.250', 17, udp(5000, 5001, Uint8Array.from([1, 2])));
  s.feed([{ data: rawIp, ts: T0, linkType: LINKTYPE_RAW }]);
  s.rec.tick();
  assert.ok(s.store.devices().some((d) => d.id === 'ip:' + A.ip));
  // Later the same address shows up behind a MAC.
  s.feed([announce(A, T0 + MIN)]);
  const b = s.rec.tick()!;
  assert.ok(b.removed.includes('ip:' + A.ip));
  const a = s.store.device('ip:' + A.ip)!;
  assert.equal(a.id, id(A));
  assert.deepEqual(a.aliases, ['ip:' + A.ip]);
  assert.deepEqual(
    s.store
      .timeline(id(A))
      .filter((t) => t.field === 'merge')
      .map((t) => [t.new, t.source]),
    [['ip:' + A.ip, 'capture']],
  );
  s.rec.unmerge('ip:' + A.ip);
  s.feed([{ data: rawIp, ts: T0 + 2 * MIN, linkType: LINKTYPE_RAW }, announce(A, T0 + 2 * MIN)]);
  s.rec.tick();
  assert.equal(s.store.device('ip:' + A.ip)!.id, 'ip:' + A.ip, 'split by hand: not merged again');
  s.close();
});

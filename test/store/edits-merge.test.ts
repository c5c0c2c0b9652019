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
  s.tick();
  assert.equal(s.store.device(id(GW))!.type, 'router', 'the engine’s own call');
  const b = s.store.edit(id(GW), 'type', 'firewall');
  assert.equal(b.upserts.length, 1);
  assert.equal(b.upserts[0]!.type, 'firewall');
  s.store.edit(id(GW), 'name', 'edge-fw');
  s.store.edit(id(GW), 'vendor', 'Acme Networks');
  s.store.edit(id(GW), 'notes', 'rack 3');
  s.store.edit(id(GW), 'authorization', 'authorized');
  s.store.edit(id(A), 'authorization', 'unauthorized');
  assert.throws(() => s.store.edit(id(A), 'authorization', 'maybe'), RangeError);
  assert.throws(() => s.store.edit(id(A), 'firmware' as 'name', 'x'), RangeError);
  s.close();

  // Analyse the same traffic again with a new engine: the engine says 'router' again, the person still wins.
  const again = new Session(path);
  again.feed(traffic());
  const batch = again.tick()!;
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
  again.store.edit(id(GW), 'type', null);
  assert.equal(again.store.device(id(GW))!.type, 'router');
  again.close();
});

test('an address-only device is merged automatically into the MAC device that shows its address', () => {
  const path = tempDb();
  const s = new Session(path);
  // Raw IP (no Ethernet): 10.0.0.10 is known by its address alone.
  const rawIp = ipv4(A.ip, '10.0.0.250', 17, udp(5000, 5001, Uint8Array.from([1, 2])));
  s.feed([{ data: rawIp, ts: T0, linkType: LINKTYPE_RAW }]);
  s.tick();
  assert.ok(s.store.devices().some((d) => d.id === 'ip:' + A.ip));
  // Later the same address shows up behind a MAC.
  s.feed([announce(A, T0 + MIN)]);
  const b = s.tick()!;
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
  s.close();
});

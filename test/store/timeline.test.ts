import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN, Session, T0, announce, chat, host, tempDb, type Host } from './session';

const A = host(10);
const B = host(11);
const id = (h: Host) => 'mac:' + h.mac;

test('timeline: discovery, new addresses, offline after the threshold of capture time, back online', () => {
  const s = new Session(tempDb(), { offlineAfterMs: 10 * MIN });
  s.feed([chat(A, B, T0)]);
  s.tick();
  // A takes a second address; B keeps talking, A falls silent for 15 minutes of capture time.
  s.feed([announce({ mac: A.mac, ip: '10.0.0.110' }, T0 + MIN), chat(B, host(12), T0 + 16 * MIN)]);
  const b = s.tick()!;
  const off = b.upserts.find((d) => d.id === id(A))!;
  assert.equal(off.online, false);
  assert.equal(b.upserts.find((d) => d.id === id(B))!.online, true);
  s.feed([chat(A, B, T0 + 20 * MIN)]);
  assert.equal(s.tick()!.upserts.find((d) => d.id === id(A))!.online, true);

  const t = s.store.timeline(id(A)).map((e) => [e.at, e.field, e.old, e.new, e.source]);
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.deepEqual(t, [
    [iso(T0), 'device', null, 'discovered', 'capture'],
    [iso(T0), 'ip', null, A.ip, 'capture'],
    [iso(T0 + MIN), 'ip', null, '10.0.0.110', 'capture'],
    [iso(T0 + 11 * MIN), 'status', 'online', 'offline', 'capture'],
    [iso(T0 + 20 * MIN), 'status', 'offline', 'online', 'capture'],
  ]);
  s.close();
});

test('timeline: attribute changes from the rules, old -> new, and manual edits on top', () => {
  const s = new Session(tempDb());
  s.feed([chat(A, B, T0)]);
  const first = s.rec.stream.collect()!;
  s.store.commit(first);
  // What classification will do: fill and later revise fields of the same device.
  const raw = first.upserts.find((d) => d.id === id(A))!;
  const later = (type: string, firmware: string | null, at: number) => ({
    ...first,
    upserts: [{ ...raw, type, firmware, category: 'ot', lastSeen: new Date(at).toISOString() }],
    edges: [],
  });
  s.store.commit(later('plc', '2.1', T0 + MIN));
  s.store.commit(later('plc', '2.2', T0 + 2 * MIN));
  s.store.edit(id(A), 'type', 'rtu');
  s.store.commit(later('hmi', null, T0 + 3 * MIN));
  assert.equal(s.store.device(id(A))!.type, 'rtu', 'the manual type stands');
  assert.equal(s.store.device(id(A))!.firmware, null, 'the rules withdrew it');
  const t = s.store
    .timeline(id(A))
    .filter((e) => ['type', 'firmware', 'category'].includes(e.field))
    .map((e) => [e.field, e.old, e.new, e.source]);
  assert.deepEqual(t, [
    ['category', null, 'ot', 'rule'],
    ['type', null, 'plc', 'rule'],
    ['firmware', null, '2.1', 'rule'],
    ['firmware', '2.1', '2.2', 'rule'],
    ['type', 'plc', 'rtu', 'manual'],
    ['type', 'plc', 'hmi', 'rule'],
    ['firmware', '2.2', null, 'rule'],
  ]);
  s.close();
});

test('a restarted app shows what it knew, and counts later traffic on top', () => {
  const path = tempDb();
  const s = new Session(path);
  s.feed([chat(A, B, T0), chat(A, B, T0 + 1000), chat(B, A, T0 + 2000)]);
  s.tick();
  s.store.edit(id(A), 'notes', 'lab bench');
  const seq = s.store.seq;
  s.close();

  const r = new Session(path);
  const snap = r.store.snapshot();
  assert.deepEqual(snap.devices.map((d) => d.id).sort(), [id(A), id(B)]);
  assert.equal(snap.devices.find((d) => d.id === id(A))!.notes, 'lab bench');
  assert.equal(snap.devices.find((d) => d.id === id(A))!.packetsSent, 2);
  assert.equal(snap.edges.length, 1);
  assert.equal(snap.edges[0]!.packets, 3);
  assert.equal(snap.stats.packets, 3, 'the last stats are kept');
  assert.ok(r.store.timeline(id(A)).length >= 2);
  // A later capture: its packets add to what was known.
  r.feed([chat(A, B, T0 + 60 * MIN)]);
  const b = r.tick()!;
  assert.ok(b.seq > seq, 'sequence numbers keep counting across restarts');
  assert.equal(r.store.device(id(A))!.packetsSent, 3);
  assert.equal(r.store.device(id(A))!.firstSeen, new Date(T0).toISOString());
  assert.equal(r.store.edges()[0]!.packets, 4);
  assert.equal(b.edges[0]!.packets, 4, 'the batch shows the carried total too');
  // And more of that capture: still one session's worth on top, not re-added.
  r.feed([chat(A, B, T0 + 61 * MIN)]);
  r.tick();
  assert.equal(r.store.device(id(A))!.packetsSent, 4);
  assert.equal(r.store.edges()[0]!.packets, 5);
  r.close();
});

test('timeline: a limit keeps the first entries, or with latest the last ones, oldest first either way', () => {
  const s = new Session(tempDb());
  s.feed([chat(A, B, T0)]);
  s.tick();
  for (let i = 1; i <= 5; i++) {
    s.feed([announce({ mac: A.mac, ip: `10.0.1.${i}` }, T0 + i * MIN)]);
    s.tick();
  }
  const all = s.store.timeline(id(A)).map((e) => `${e.field}:${e.new}`);
  assert.deepEqual(all.slice(0, 2), ['device:discovered', `ip:${A.ip}`]);
  assert.ok(all.length >= 7 && all.includes('ip:10.0.1.5'), all.join(' '));
  assert.deepEqual(
    s.store.timeline(id(A), { limit: 2 }).map((e) => `${e.field}:${e.new}`),
    all.slice(0, 2),
  );
  assert.deepEqual(
    s.store.timeline(id(A), { limit: 2, latest: true }).map((e) => `${e.field}:${e.new}`),
    all.slice(-2),
  );
  s.close();
});

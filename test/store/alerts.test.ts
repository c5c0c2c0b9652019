import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertEngine } from '../../shared/alerts/engine';
import type { DeltaBatch } from '../../shared/inventory/changes';
import type { AlertJson } from '../../shared/model/alert';
import { MIN, MODBUS_RESTART, Session, T0, announce, chat, dhcpOffer, host, modbus, tempDb } from './session';

const A = host(10);
const B = host(11);
const SERVER = host(1);
const ROGUE = host(66);
const HMI = host(20);
const PLC = host(21);

/** Everything the baseline learns in the first half hour of capture time. */
function learningTraffic(s: Session): void {
  s.feed([
    announce(A, T0),
    chat(A, B, T0 + 1000),
    dhcpOffer(SERVER, A.mac, T0 + 2000),
    modbus(HMI, PLC, MODBUS_RESTART, T0 + 3000),
    chat(B, A, T0 + 30 * MIN),
  ]);
}

function byKind(alerts: readonly AlertJson[]): Map<string, AlertJson[]> {
  const m = new Map<string, AlertJson[]>();
  for (const a of alerts) m.set(a.kind, [...(m.get(a.kind) ?? []), a]);
  return m;
}

test('during learning nothing alerts; afterwards each kind does, once, and is stored', () => {
  const s = new Session(tempDb(), { learnMs: 60 * MIN });
  learningTraffic(s);
  const first = s.tick();
  assert.ok(first !== null && first.upserts.length >= 5, 'the learning traffic made devices');
  assert.deepEqual(first.alerts, []);
  // The same things again, still inside the hour: still nothing.
  s.feed([modbus(HMI, PLC, MODBUS_RESTART, T0 + 50 * MIN), announce(A, T0 + 50 * MIN)]);
  assert.deepEqual(s.tick()?.alerts ?? [], []);
  assert.equal(s.rec.alerts.isLearning, true);

  const after = T0 + 70 * MIN;
  const NEWCOMER = host(99);
  s.feed([
    chat(NEWCOMER, A, after),
    // B's MAC answers for A's address.
    announce({ mac: B.mac, ip: A.ip }, after + 1000),
    dhcpOffer(ROGUE, B.mac, after + 2000),
    modbus(HMI, PLC, MODBUS_RESTART, after + 3000),
    // A Modbus write is an event of low severity: no alert.
    modbus(HMI, PLC, [0x06, 0x00, 0x01, 0x00, 0x2a], after + 4000),
  ]);
  const b = s.tick()!;
  const kinds = byKind(b.alerts);
  assert.deepEqual([...kinds.keys()].sort(), ['dhcp-server', 'ip-conflict', 'new-device', 'ot-event']);

  const nd = kinds.get('new-device')!;
  // The rogue DHCP server is a stranger too.
  assert.deepEqual(nd.map((a) => a.deviceId).sort(), ['mac:' + ROGUE.mac, 'mac:' + NEWCOMER.mac]);
  assert.equal(nd.find((a) => a.deviceId === 'mac:' + NEWCOMER.mac)!.at, new Date(after).toISOString());

  const conflict = kinds.get('ip-conflict')!;
  assert.equal(conflict.length, 1);
  assert.equal(conflict[0]!.detail.ip, A.ip);
  assert.deepEqual([conflict[0]!.deviceId, conflict[0]!.detail.otherDevice].sort(), [
    'mac:' + A.mac,
    'mac:' + B.mac,
  ]);
  assert.equal(conflict[0]!.severity, 'high');

  const dhcp = kinds.get('dhcp-server')!;
  assert.deepEqual(
    dhcp.map((a) => a.deviceId),
    ['mac:' + ROGUE.mac],
  );
  assert.equal(dhcp[0]!.severity, 'high', 'a second server, not the first one');
  assert.match(String(dhcp[0]!.detail.knownServers), new RegExp(SERVER.mac));

  const ot = kinds.get('ot-event')!;
  assert.equal(ot.length, 1);
  assert.equal(ot[0]!.severity, 'high');
  assert.equal(ot[0]!.deviceId, 'mac:' + HMI.mac);
  assert.equal(ot[0]!.detail.event, 'device-restart');
  assert.equal(ot[0]!.detail.protocol, 'modbus');

  // Stored, listed by severity and time, and not raised twice for the same facts.
  const stored = s.store.alerts();
  assert.equal(stored.length, 5);
  assert.deepEqual(
    s.store
      .alerts({ severity: 'high' })
      .map((a) => a.kind)
      .sort(),
    ['dhcp-server', 'ip-conflict', 'ot-event'],
  );
  assert.deepEqual(
    s.store.alerts({ since: new Date(after + 2500).toISOString() }).map((a) => a.kind),
    ['ot-event'],
  );
  s.feed([
    announce({ mac: B.mac, ip: A.ip }, after + 5000),
    dhcpOffer(ROGUE, B.mac, after + 6000),
    chat(NEWCOMER, B, after + 7000),
  ]);
  assert.deepEqual(s.tick()?.alerts ?? [], []);
  s.close();
});

test('ending learning by hand: the next new device alerts at once; the state survives a restart', () => {
  const path = tempDb();
  const s = new Session(path, { learnMs: 24 * 60 * MIN });
  learningTraffic(s);
  s.tick();
  s.rec.endLearning();
  s.feed([chat(host(77), A, T0 + 31 * MIN)]);
  assert.deepEqual(
    s.tick()!.alerts.map((a) => [a.kind, a.deviceId]),
    [['new-device', 'mac:' + host(77).mac]],
  );
  s.close();

  // A restarted recorder keeps the baseline: known devices stay quiet, a stranger alerts.
  const r = new Session(path, { learnMs: 24 * 60 * MIN });
  assert.equal(r.rec.alerts.isLearning, false);
  r.feed([chat(A, B, T0 + 40 * MIN), chat(host(78), B, T0 + 41 * MIN)]);
  assert.deepEqual(
    r.tick()!.alerts.map((a) => [a.kind, a.deviceId]),
    [['new-device', 'mac:' + host(78).mac]],
  );
  assert.equal(r.store.alerts().length, 2, 'both sessions’ alerts are listed');
  r.close();
});

test('firmware and type changes (as classification fills them) alert after learning only', () => {
  // Real device JSON from the engine; the classifier's fields are set by hand, as it would set them.
  const s = new Session(tempDb(), { learnMs: 10 * MIN });
  s.feed([chat(PLC, HMI, T0)]);
  const dev = s.tick()!.upserts.find((d) => d.id === 'mac:' + PLC.mac)!;
  const engine = new AlertEngine({ learning: { durationMs: 10 * MIN } });
  const batch = (firmware: string, type: string, at: number): DeltaBatch => ({
    seq: 1,
    at: new Date().toISOString(),
    upserts: [{ ...dev, firmware, type, lastSeen: new Date(at).toISOString() }],
    removed: [],
    devicesDeleted: [],
    edges: [],
    edgesRemoved: [],
    edgesDeleted: [],
    alerts: [],
    stats: {
      ...s.analyzer.stats(),
      firstSeen: new Date(T0).toISOString(),
      lastSeen: new Date(at).toISOString(),
    },
  });
  assert.deepEqual(engine.batch(batch('2.1', 'plc', T0)), []);
  // Changes during learning are the baseline settling.
  assert.deepEqual(engine.batch(batch('2.2', 'plc', T0 + 5 * MIN)), []);
  const a = engine.batch(batch('3.0', 'hmi', T0 + 20 * MIN));
  assert.deepEqual(
    a.map((x) => [x.kind, x.severity, x.detail.old, x.detail.new]),
    [
      ['firmware-change', 'high', '2.2', '3.0'],
      ['type-change', 'medium', 'plc', 'hmi'],
    ],
  );
  assert.deepEqual(engine.batch(batch('3.0', 'hmi', T0 + 21 * MIN)), [], 'no change, no alert');
  s.close();
});

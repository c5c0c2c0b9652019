// Alerts of the UI engine without a store: raised in every run, sent as `alert` events, answered by
// listAlerts; and the wire helpers that fit them to the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { AlertLog } from '../../src-main/ipc/alert-log';
import { fitId, toWireAlert } from '../../src-main/ipc/alert-wire';
import { placeholderEngine } from '../helpers/placeholder-engine';
import { calls, events, type Alert } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { writePcap } from '../helpers/pcap-writer';
import { udpFrame } from '../helpers/packets';

const tmp = mkdtempSync(join(tmpdir(), 'gp-engine-ui-'));
const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const MIN = 60_000;
const host = (n: number) => ({ mac: `02:00:00:00:01:${n.toString(16).padStart(2, '0')}`, ip: `10.9.0.${n}` });
const A = host(1);
const B = host(2);
const C = host(3);
const D = host(4);

/** A datagram from a to b at `ts` (both become devices with their MAC and address). */
const chat = (a: typeof A, b: typeof A, ts: number) => ({
  data: udpFrame({ ...a, port: 40000 }, { ...b, port: 9999 }, Uint8Array.from([1, 2, 3, 4])),
  ts,
});

/** A and B from T0; D half an hour in (still learning by default); C after an hour and a minute. */
const capture = writePcap(join(tmp, 'hour.pcap'), 1, [
  chat(A, B, T0),
  chat(B, A, T0 + 1000),
  chat(D, A, T0 + 30 * MIN),
  chat(C, A, T0 + 61 * MIN),
]);

function engineWith(o: { learnMs?: number; keepAlerts?: number } = {}) {
  const hub = createEventHub();
  const alerts: Alert[] = [];
  hub.subscribe((name, payload) => {
    const parsed = events[name].safeParse(payload);
    assert.ok(parsed.success, `${name} fails its schema`);
    if (name === 'alert') alerts.push(payload as Alert);
  });
  return { engine: createEngine({ hub, collectMs: 20, ...o }), alerts };
}

const newDevices = (as: readonly Alert[]) =>
  as
    .filter((a) => a.kind === 'new-device')
    .map((a) => a.deviceId)
    .sort();

test('learning period 0: every device is new, sent as alert events and listed by listAlerts', async () => {
  const { engine, alerts } = engineWith({ learnMs: 0 });
  await engine.openCapture({ paths: [capture] });
  await engine.idle;
  const listed = await engine.listAlerts({});
  assert.ok(calls.listAlerts.response.safeParse(listed).success);
  assert.deepEqual(newDevices(alerts), [A, B, C, D].map((h) => 'mac:' + h.mac).sort());
  const c = alerts.find((a) => a.deviceId === 'mac:' + C.mac)!;
  assert.equal(c.at, new Date(T0 + 61 * MIN).toISOString(), 'capture time, not wall time');
  assert.equal(c.detail.mac, C.mac);
  assert.equal(listed.total, alerts.length);
  assert.deepEqual(
    listed.alerts.map((a) => a.id),
    // Alerts of the same time: the later raised first.
    [...alerts]
      .reverse()
      .sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0))
      .map((a) => a.id),
    'newest first',
  );
  assert.equal(listed.alerts[0]!.deviceId, 'mac:' + C.mac);
  const forB = await engine.listAlerts({ deviceId: 'mac:' + B.mac });
  assert.deepEqual(
    forB.alerts.map((a) => a.kind),
    ['new-device'],
  );
  assert.equal(forB.total, 1);
  assert.deepEqual(await engine.listAlerts({ deviceId: 'mac:02:00:00:00:ff:ff' }), { alerts: [], total: 0 });
  const top = await engine.listAlerts({ limit: 2 });
  assert.equal(top.alerts.length, 2);
  assert.equal(top.total, 4);

  // A second run has its own alert engine (a fresh baseline): the same alerts are the same ids, and
  // an alert already held is not news again.
  await engine.openCapture({ paths: [capture] });
  await engine.idle;
  assert.equal(alerts.length, 4, 'no repeated alert events');
  assert.equal((await engine.listAlerts({})).total, 4);
  await engine.close();
});

test('the default learning period is one hour of capture time: only what comes after it alerts', async () => {
  const { engine, alerts } = engineWith();
  await engine.openCapture({ paths: [capture] });
  await engine.idle;
  assert.deepEqual(newDevices(alerts), ['mac:' + C.mac]);
  assert.equal((await engine.listAlerts({})).total, 1);
  await engine.close();
});

test('without a store: getTimeline is unsupported and empty', async () => {
  const { engine } = engineWith({ learnMs: 0 });
  await engine.openCapture({ paths: [capture] });
  await engine.idle;
  assert.deepEqual(await engine.getTimeline({ id: 'mac:' + A.mac }), { supported: false, entries: [] });
  await engine.close();
});

test('the placeholder engine answers the new calls in the contract’s shapes', async () => {
  const p = placeholderEngine();
  assert.deepEqual(await p.listAlerts({}), { alerts: [], total: 0 });
  assert.deepEqual(await p.getTimeline({ id: 'mac:' + A.mac }), { supported: false, entries: [] });
  const c = await p.interfaceCounters({});
  assert.ok(calls.interfaceCounters.response.safeParse(c).success);
  if (process.platform === 'linux') assert.ok(c.interfaces.some((i) => i.name === 'lo'));
});

test('alerts built from long network strings are cut to the contract, the same way every time', () => {
  const firmware = 'V'.repeat(900);
  const raw = {
    id: `firmware-change|mac:${A.mac}|2026-03-01T09:00:00.000Z|${firmware}`,
    at: '2026-03-01T09:00:00.000Z',
    severity: 'high' as const,
    kind: 'firmware-change',
    deviceId: 'mac:' + A.mac,
    message: `mac:${A.mac}: firmware changed from ${firmware} to ${firmware}`,
    detail: { old: firmware, new: firmware + 'x'.repeat(600), n: Infinity, ok: true },
  };
  assert.equal(events.alert.safeParse(raw).success, false, 'the raw alert is too long for the wire');
  const w = toWireAlert(raw);
  assert.ok(events.alert.safeParse(w).success);
  assert.equal(w.id.length, IPC_LIMITS.id);
  assert.equal(toWireAlert(raw).id, w.id, 'deterministic');
  assert.notEqual(toWireAlert({ ...raw, id: raw.id + 'y' }).id, w.id, 'different ids stay different');
  assert.equal(w.detail.n, null);
  assert.equal(w.detail.ok, true);
  assert.equal(String(w.detail.new).length, IPC_LIMITS.text);
  assert.equal(fitId('mac:' + A.mac), 'mac:' + A.mac, 'short ids are kept as they are');
});

test('the in-memory alert log keeps the newest, each id once', () => {
  const log = new AlertLog(100);
  const alert = (i: number): Alert => ({
    id: `a${i}`,
    at: new Date(T0 + i * 1000).toISOString(),
    severity: 'medium',
    kind: 'new-device',
    deviceId: i % 2 === 0 ? 'mac:even' : 'mac:odd',
    message: `alert ${i}`,
    detail: {},
  });
  for (let i = 0; i < 250; i++) assert.equal(log.add(alert(i)), true);
  assert.equal(log.add(alert(249)), false);
  assert.equal(log.size, 100);
  const all = log.list(undefined);
  assert.equal(all.total, 100);
  assert.equal(all.alerts[0]!.id, 'a249');
  assert.equal(all.alerts.at(-1)!.id, 'a150');
  const even = log.list('mac:even', 3);
  assert.deepEqual(
    even.alerts.map((a) => a.id),
    ['a248', 'a246', 'a244'],
  );
  assert.equal(even.total, 50);
});

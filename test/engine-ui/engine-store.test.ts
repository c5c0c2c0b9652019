// The UI engine with a device store (a temp SQLite file): alerts, edits and the timeline survive a
// new engine on the same database, and before any run the snapshot is what the store recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { demoCapturePath } from '../../src-main/demo/demo-path';
import { NET } from '../../src-main/demo/network';
import { Store } from '../../src-main/store/store';
import { calls, events, type Alert, type DeviceDelta, type Snapshot } from '../../shared/ipc/contract';

process.env.GLASSPANE_CACHE_DIR = mkdtempSync(join(tmpdir(), 'gp-demo-cache-'));
const PLC = 'mac:' + NET.plc1.mac;

function session(path: string, learnMs?: number) {
  const store = new Store(path);
  const hub = createEventHub();
  const alerts: Alert[] = [];
  const deltas: DeviceDelta[] = [];
  hub.subscribe((name, payload) => {
    const parsed = events[name].safeParse(payload);
    assert.ok(parsed.success, `${name} fails its schema`);
    if (name === 'alert') alerts.push(payload as Alert);
    if (name === 'deviceDelta') deltas.push(payload as DeviceDelta);
  });
  const engine = createEngine({ hub, store, collectMs: 20, learnMs });
  return {
    store,
    engine,
    alerts,
    deltas,
    close: async () => {
      await engine.close();
      store.close();
    },
  };
}

const valid = <T>(name: keyof typeof calls, v: T): T => {
  const r = calls[name].response.safeParse(v);
  assert.ok(r.success, `${name} answer fails its schema: ${r.success ? '' : r.error.message}`);
  return v;
};

test('alerts, edits and the timeline outlive the engine; a new one starts from the stored inventory', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'gp-engine-store-')), 'store.db');
  const demo = await demoCapturePath();

  // First session: analyse the demo with nothing learned, name the PLC by hand.
  const one = session(db, 0);
  assert.deepEqual(
    valid('getSnapshot', await one.engine.getSnapshot({})).devices,
    [],
    'a new store is empty',
  );
  await one.engine.openCapture({ paths: [demo] });
  await one.engine.idle;
  const raised = one.alerts.map((a) => a.id);
  assert.ok(raised.length > 0, 'the run raised alerts');
  assert.equal(new Set(raised).size, raised.length, 'each alert once');
  assert.ok(one.alerts.some((a) => a.kind === 'new-device' && a.deviceId === PLC));
  // One alert engine per run: every alert sent is stored once, and nothing else is stored.
  assert.equal(one.store.alertCount(), raised.length);
  const listed = valid('listAlerts', await one.engine.listAlerts({}));
  assert.equal(listed.total, raised.length);
  assert.deepEqual(listed.alerts.map((a) => a.id).sort(), [...raised].sort());
  await one.engine.editDevice({ id: PLC, name: 'line-1-plc', notes: 'cabinet 4' });
  const first: Snapshot = await one.engine.getSnapshot({});
  const lan = first.devices.filter((d) => d.mac !== null);
  assert.ok(lan.length >= Object.keys(NET).length - 1);
  await one.close();

  // Second session on the same file: before any capture, what the store recorded.
  const two = session(db);
  const snap = valid('getSnapshot', await two.engine.getSnapshot({}));
  assert.equal(snap.status.state, 'idle');
  assert.equal(snap.sequence, 0);
  const ids = new Set(snap.devices.map((d) => d.id));
  for (const d of lan) assert.ok(ids.has(d.id), `${d.id} was not restored`);
  const plc = snap.devices.find((d) => d.id === PLC)!;
  assert.equal(plc.hostname, 'line-1-plc', 'the manual name is applied');
  assert.equal(plc.notes, 'cabinet 4');
  assert.deepEqual(plc.edited?.sort(), ['name', 'notes']);
  assert.ok(plc.ips.includes(NET.plc1.ip));
  // Edges are stored too, between devices the snapshot holds.
  assert.ok(snap.edges.length > 0, 'the stored edges');
  for (const e of snap.edges) assert.ok(ids.has(e.a) && ids.has(e.b), `${e.a} - ${e.b} dangles`);
  assert.ok(snap.edges.some((e) => e.a === PLC || e.b === PLC));
  assert.equal(valid('getDevice', await two.engine.getDevice({ id: PLC })).hostname, 'line-1-plc');

  // Alerts of the earlier session, newest first.
  const again = valid('listAlerts', await two.engine.listAlerts({}));
  assert.equal(again.total, raised.length);
  assert.deepEqual(again.alerts.map((a) => a.id).sort(), [...raised].sort());
  for (let i = 1; i < again.alerts.length; i++) assert.ok(again.alerts[i - 1]!.at >= again.alerts[i]!.at);
  const plcAlerts = valid('listAlerts', await two.engine.listAlerts({ deviceId: PLC, limit: 1 }));
  assert.equal(plcAlerts.alerts.length, 1);
  assert.equal(plcAlerts.alerts[0]!.deviceId, PLC);
  assert.equal(plcAlerts.total, one.alerts.filter((a) => a.deviceId === PLC).length);

  // The timeline: discovery, its address, and the manual edit.
  const tl = valid('getTimeline', await two.engine.getTimeline({ id: PLC }));
  assert.equal(tl.supported, true);
  assert.deepEqual([tl.entries[0]!.field, tl.entries[0]!.new], ['device', 'discovered']);
  assert.ok(tl.entries.some((e) => e.field === 'ip' && e.new === NET.plc1.ip));
  const named = tl.entries.find((e) => e.field === 'name');
  assert.deepEqual([named?.new, named?.source], ['line-1-plc', 'manual']);
  assert.deepEqual(await two.engine.getTimeline({ id: 'mac:02:00:00:00:00:99' }), {
    supported: true,
    entries: [],
  });

  // An edit before any run goes to the store and out as a delta of its own.
  const edited = await two.engine.editDevice({ id: PLC, type: 'plc' });
  assert.equal(edited.type, 'plc');
  assert.equal(two.deltas.length, 1);
  assert.deepEqual([two.deltas[0]!.sequence, two.deltas[0]!.reset], [1, false]);
  assert.equal(two.deltas[0]!.upserts[0]!.hostname, 'line-1-plc');
  assert.equal(two.store.device(PLC)!.manual.type, 'plc');

  // The same capture again: the stored devices are the baseline, so nothing is new; the run's
  // first delta replaces the stored view.
  await two.engine.openCapture({ paths: [demo] });
  await two.engine.idle;
  assert.deepEqual(
    two.alerts.filter((a) => a.kind === 'new-device'),
    [],
  );
  const runDeltas = two.deltas.slice(1);
  assert.equal(runDeltas[0]!.reset, true);
  assert.equal(runDeltas[0]!.sequence, 2);
  assert.equal((await two.engine.listAlerts({})).total, raised.length, 'nothing stored twice');
  const after = await two.engine.getSnapshot({});
  assert.equal(after.status.state, 'finished');
  const plcAfter = after.devices.find((d) => d.id === PLC)!;
  assert.deepEqual(
    [plcAfter.hostname, plcAfter.type],
    ['line-1-plc', 'plc'],
    'stored edits apply to the run',
  );
  await two.close();
});

test('a store that fails to record does not stop the engine: alerts still go out and are listed', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'gp-engine-store-')), 'store.db');
  const store = new Store(db);
  const hub = createEventHub();
  const alerts: Alert[] = [];
  hub.subscribe((name, payload) => {
    if (name === 'alert') alerts.push(payload as Alert);
  });
  const logged: string[] = [];
  const engine = createEngine({ hub, store, collectMs: 20, learnMs: 0, log: (m) => logged.push(m) });
  // The host's database goes away under the engine (a deleted file system, a closed handle).
  store.close();
  await engine.openCapture({ paths: [await demoCapturePath()] });
  await engine.idle;
  assert.match(logged.join('\n'), /stopped recording/);
  assert.ok(alerts.some((a) => a.deviceId === PLC && a.kind === 'new-device'));
  const listed = await engine.listAlerts({});
  assert.equal(listed.total, alerts.length);
  assert.ok((await engine.getSnapshot({})).devices.some((d) => d.id === PLC));
  await engine.close();
});

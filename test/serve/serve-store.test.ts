// `glasspane serve --db`: what one console session recorded (devices, edits, alerts) is what the
// next one starts from, before any capture is opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCallResult, type Alert } from '../../shared/ipc/contract';
import type { CallName } from '../../shared/ipc/channels';
import { demoCapturePath } from '../../src-main/demo/demo-path';
import { NET } from '../../src-main/demo/network';
import { runServe, startServe } from './helpers/serve-process';
import { waitForCaptureState, WsClient } from './helpers/ws-client';

process.env.GLASSPANE_CACHE_DIR = mkdtempSync(join(tmpdir(), 'gp-demo-cache-'));
const PLC = 'mac:' + NET.plc1.mac;

async function ok<K extends CallName>(c: WsClient, name: K, payload: unknown) {
  const r = parseCallResult(name, await c.call(name, payload));
  if (!r.ok) assert.fail(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

test('a restarted console shows the stored devices, edits and alerts before any capture', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'gp-serve-store-')), 'store.db');
  const demo = await demoCapturePath();

  const first = await startServe(['--db', db, '--learn', '0']);
  let raised: Alert[];
  try {
    const c = await WsClient.connect(first.origin, first.token);
    await ok(c, 'openCapture', { paths: [demo] });
    await waitForCaptureState(c, ['finished']);
    await ok(c, 'editDevice', { id: PLC, name: 'line-1-plc' });
    raised = c.events.filter((e) => e.name === 'alert').map((e) => e.payload as Alert);
    assert.ok(raised.some((a) => a.kind === 'new-device' && a.deviceId === PLC));
    c.close();
  } finally {
    assert.equal(await first.stop(), 0);
  }

  const second = await startServe(['--db', db]);
  try {
    const c = await WsClient.connect(second.origin, second.token);
    const snap = await ok(c, 'getSnapshot', {});
    assert.equal(snap.status.state, 'idle');
    const plc = snap.devices.find((d) => d.id === PLC);
    assert.ok(plc, 'the PLC is restored');
    assert.equal(plc.hostname, 'line-1-plc');
    for (const h of [NET.hmi, NET.plc2, NET.ws1])
      assert.ok(
        snap.devices.some((d) => d.mac === h.mac),
        `${h.name} restored`,
      );
    assert.ok(snap.edges.length > 0);
    const alerts = await ok(c, 'listAlerts', {});
    assert.equal(alerts.total, raised.length);
    assert.deepEqual(alerts.alerts.map((a) => a.id).sort(), raised.map((a) => a.id).sort());
    const tl = await ok(c, 'getTimeline', { id: PLC });
    assert.ok(tl.entries.some((e) => e.field === 'name' && e.new === 'line-1-plc' && e.source === 'manual'));
    c.close();
  } finally {
    assert.equal(await second.stop(), 0);
  }
});

test('an invalid --learn is a usage error', async () => {
  const r = await runServe(['--port', '0', '--learn', 'soon']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /'soon' is not a duration/);
});

/**
 * `glasspane serve` opening hostile floods (random source MACs, random IPv6 sources behind one
 * router MAC; 200k frames with --max-devices 10000): the server stays alive and answering, its
 * memory bounded, and the console is shown one inventory-flood alert per flood, during learning.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCallResult, type Alert } from '../../shared/ipc/contract';
import type { CallName } from '../../shared/ipc/channels';
import { FLOOD_ROUTER_MAC, writeIpv6Flood, writeMacFlood } from '../helpers/flood-pcap';
import { startServe } from './helpers/serve-process';
import { waitForCaptureState, WsClient } from './helpers/ws-client';

const tmp = mkdtempSync(join(tmpdir(), 'gp-serve-flood-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function ok<K extends CallName>(c: WsClient, name: K, payload: unknown) {
  const r = parseCallResult(name, await c.call(name, payload));
  if (!r.ok) assert.fail(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** The process's peak resident set so far, MB (Linux). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'no VmHWM in /proc');
  return Number(m[1]) / 1024;
}

test('serve opens a MAC flood and an IPv6 flood, stays up, and shows one flood alert for each', async () => {
  const mac = writeMacFlood(join(tmp, 'mac.pcap'), 200_000);
  const v6 = writeIpv6Flood(join(tmp, 'v6.pcap'), 200_000);
  const s = await startServe(['--max-devices', '10000']);
  try {
    const c = await WsClient.connect(s.origin, s.token);
    await ok(c, 'openCapture', { paths: [mac] });
    await waitForCaptureState(c, ['finished'], 120_000);
    const floods = () =>
      c.events.filter((e) => e.name === 'alert' && (e.payload as Alert).kind === 'inventory-flood');
    await c.waitForEvent((e) => e.name === 'alert' && (e.payload as Alert).kind === 'inventory-flood');
    const first = floods().map((e) => e.payload as Alert);
    assert.equal(first.length, 1);
    assert.match(
      first[0]!.message,
      /^inventory flood on interface 0: new MACs past the limit of 10000 devices/,
    );
    assert.equal(first[0]!.deviceId, 'overflow:interface 0');
    // No new-device alert for 10,000 flooding MACs either: the capture is within the learning hour.
    assert.equal(c.events.filter((e) => e.name === 'alert').length, 1);
    const snap = await ok(c, 'getSnapshot', {});
    assert.equal(snap.status.counters.packets, 200_000);
    assert.ok(snap.devices.some((d) => d.id === 'overflow:interface 0'));
    assert.equal(snap.devices.length, 10_001);

    await ok(c, 'openCapture', { paths: [v6] });
    await waitForCaptureState(c, ['finished'], 120_000);
    await c.waitForEvent(
      (e) =>
        e.name === 'alert' &&
        (e.payload as Alert).message.startsWith(`inventory flood on router mac:${FLOOD_ROUTER_MAC}`),
    );
    assert.equal(floods().length, 2);
    const listed = await ok(c, 'listAlerts', {});
    assert.deepEqual(
      listed.alerts.filter((a) => a.kind === 'inventory-flood').map((a) => a.message.split(':')[0]),
      [`inventory flood on router mac`, 'inventory flood on interface 0'],
    );
    // Alive and answering after both.
    const again = await ok(c, 'getSnapshot', {});
    assert.equal(again.status.state, 'finished');
    assert.ok(again.devices.some((d) => d.id === `routed:mac:${FLOOD_ROUTER_MAC}`));
    const rss = peakRssMb(s.child.pid!);
    process.stdout.write(`# serve peak RSS over both floods: ${rss.toFixed(0)} MB\n`);
    assert.ok(rss < 600, `serve peak RSS ${rss.toFixed(0)} MB`);
    assert.equal(s.child.exitCode, null);
    c.close();
  } finally {
    assert.equal(await s.stop(), 0, s.stderr());
  }
});

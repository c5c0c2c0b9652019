// interfaceCounters: the OS's counters per interface, read from sysfs on Linux; never a capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInterfaceCounters, SYS_CLASS_NET } from '../../src-main/ipc/interface-counters';
import { createEngine } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { calls } from '../../shared/ipc/contract';

const sysCounter = (iface: string, f: string) =>
  Number(readFileSync(join(SYS_CLASS_NET, iface, 'statistics', f), 'utf8'));

test('on Linux the loopback interface is there, with counters no lower than sysfs showed before', async (t) => {
  if (process.platform !== 'linux') return t.skip('sysfs is Linux only');
  const packets = sysCounter('lo', 'rx_packets') + sysCounter('lo', 'tx_packets');
  const bytes = sysCounter('lo', 'rx_bytes') + sysCounter('lo', 'tx_bytes');
  const engine = createEngine({ hub: createEventHub() });
  const r = await engine.interfaceCounters({});
  await engine.close();
  assert.ok(calls.interfaceCounters.response.safeParse(r).success);
  assert.equal(r.supported, true);
  const lo = r.interfaces.find((i) => i.name === 'lo');
  assert.ok(lo, 'lo is listed');
  assert.ok(lo.packets !== null && lo.packets >= packets, `${lo.packets} < ${packets}`);
  assert.ok(lo.bytes !== null && lo.bytes >= bytes, `${lo.bytes} < ${bytes}`);
  assert.deepEqual(
    r.interfaces.map((i) => i.name),
    [...r.interfaces.map((i) => i.name)].sort(),
  );
});

test('rx plus tx per interface; unreadable or garbled counters are null, never an exception', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gp-sysnet-'));
  const iface = (name: string, files: Record<string, string>) => {
    mkdirSync(join(root, name, 'statistics'), { recursive: true });
    for (const [f, v] of Object.entries(files)) writeFileSync(join(root, name, 'statistics', f), v);
  };
  iface('eth9', { rx_packets: '5\n', tx_packets: '7\n', rx_bytes: 'garbage\n', tx_bytes: '100\n' });
  iface('wlan0', { rx_packets: '-1\n', tx_packets: '2\n', rx_bytes: '10\n', tx_bytes: '20\n' });
  iface('big0', { rx_packets: '99999999999999999999\n', tx_packets: '0', rx_bytes: '0', tx_bytes: '0' });
  // A bare entry without statistics (a stale link).
  mkdirSync(join(root, 'bare0'));
  const r = await readInterfaceCounters(root, 'linux');
  assert.ok(calls.interfaceCounters.response.safeParse(r).success);
  assert.deepEqual(r.interfaces, [
    { name: 'bare0', packets: null, bytes: null },
    { name: 'big0', packets: null, bytes: 0 },
    { name: 'eth9', packets: 12, bytes: null },
    { name: 'wlan0', packets: null, bytes: 30 },
  ]);
  assert.equal(r.supported, true);
});

test('elsewhere, or without sysfs, it is not supported', async () => {
  const before = Date.now();
  for (const r of [
    await readInterfaceCounters(SYS_CLASS_NET, 'darwin'),
    await readInterfaceCounters(SYS_CLASS_NET, 'win32'),
    await readInterfaceCounters(join(tmpdir(), 'gp-no-such-sysfs'), 'linux'),
  ]) {
    assert.equal(r.supported, false);
    assert.deepEqual(r.interfaces, []);
    assert.ok(r.at >= before);
  }
});

// The engine's forwarding settings through the contract's calls (what the Forwarding tab sends):
// the filter written into the URI, mistakes answered as bad requests that never repeat a secret,
// the list kept in the data folder for the next engine, and a destination filtered by kind and
// severity getting only what it asked for from a real run, to a real rsyslog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { CallFailure } from '../../src-main/ipc/engine-api';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { PCAPS } from '../helpers/corpus';
import { scratch } from './delivery-setup';
import { RSYSLOG_SKIP, startRsyslog } from './rsyslog';

const CAPTURE = join(PCAPS, 'enip-listidentity__iti-ics__enip_test.pcap');

async function refused(call: () => unknown, message: RegExp): Promise<string> {
  try {
    await call();
  } catch (e) {
    assert.ok(e instanceof CallFailure, String(e));
    assert.equal(e.code, 'bad-request');
    assert.match(e.message, message);
    return e.message;
  }
  assert.fail('not refused');
}

test('forwarding settings: filter in the URI, mistakes as one-line bad requests, kept for the next engine', async () => {
  const s = scratch();
  const engine = createEngine({ hub: createEventHub(() => {}), forwardingDir: s.dir });
  try {
    const st = await engine.addForwardDestination({
      uri: 'syslog+udp://127.0.0.1:9?format=leef&kinds=discovered',
      kinds: ['alert', 'not-seen'],
      minSeverity: 'high',
    });
    // The panel's filter replaces the URI's own; the rest of the URI is kept as typed.
    assert.equal(
      st.destinations[0]!.uri,
      'syslog+udp://127.0.0.1:9?format=leef&kinds=alert,not-seen&min-severity=high',
    );
    await refused(
      () =>
        engine.addForwardDestination({
          uri: 'syslog+udp://127.0.0.1:9?format=leef',
          kinds: ['alert', 'not-seen'],
          minSeverity: 'high',
        }),
      /already a destination/,
    );
    const token = 'tok-do-not-show-' + Math.random().toString(36).slice(2);
    const m1 = await refused(
      () => engine.addForwardDestination({ uri: `splunk+https://127.0.0.1:8088?token=${token}` }),
      /^a token in the URI would be kept and shown: use token-file=PATH or token-env=NAME$/,
    );
    const m2 = await refused(
      () => engine.addForwardDestination({ uri: `not a uri ${token}` }),
      /is not a URI/,
    );
    const m3 = await refused(
      () => engine.addForwardDestination({ uri: `syslog+tcp://127.0.0.1:9?format=xml&x=${token}` }),
      /format 'xml' is not one of cef, leef, json/,
    );
    for (const m of [m1, m2, m3]) assert.ok(!m.includes(token), m);
    await refused(() => engine.removeForwardDestination({ id: 'nope' }), /no destination nope/);
  } finally {
    await engine.close();
  }
  const next = createEngine({ hub: createEventHub(() => {}), forwardingDir: s.dir });
  try {
    assert.deepEqual(
      (await next.getForwarding({})).destinations.map((d) => d.uri),
      ['syslog+udp://127.0.0.1:9?format=leef&kinds=alert,not-seen&min-severity=high'],
    );
  } finally {
    await next.close();
  }
  // A host without a data folder says so.
  const none = createEngine({ hub: createEventHub(() => {}) });
  try {
    assert.throws(
      () => none.getForwarding({}),
      (e: unknown) => e instanceof CallFailure && e.code === 'unavailable',
    );
  } finally {
    await none.close();
  }
});

test(
  'a destination added from the settings mid-run gets the devices of the run, filtered as asked',
  { skip: RSYSLOG_SKIP },
  async () => {
    const rs = await startRsyslog();
    const s = scratch();
    const engine = createEngine({ hub: createEventHub(() => {}), collectMs: 50, forwardingDir: s.dir });
    try {
      await engine.openCapture({ paths: [CAPTURE] });
      await engine.idle;
      const devices = (await engine.getSnapshot({})).devices.length;
      assert.ok(devices > 0);
      // Added after the capture was read: its devices are discovered for it.
      await engine.addForwardDestination({
        uri: `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=cef`,
        kinds: ['discovered'],
      });
      // One that wants only high alerts gets nothing from this run (no store: no alerts; devices are info).
      await engine.addForwardDestination({
        uri: `syslog+udp://127.0.0.1:${rs.udpPort}?format=cef`,
        minSeverity: 'high',
      });
      const lines = await rs.waitFor(devices, 15_000);
      assert.equal(lines.length, devices, lines.join('\n'));
      for (const l of lines) assert.match(l, /\|100\|Device discovered\|/);
      const st = await engine.getForwarding({});
      assert.deepEqual(
        st.destinations.map((d) => d.queued + d.sent),
        [devices, 0],
      );
    } finally {
      await engine.close();
      await rs.stop();
    }
  },
);

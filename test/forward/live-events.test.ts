// The events of a long-running host from its recorded batches: discovered once, changed when a
// tracked attribute moves, alerts with their device, and the clocked ones on the host's clock.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceJson } from '../../shared/model/inventory';
import type { AlertJson } from '../../shared/model/alert';
import { LiveEvents } from '../../shared/forward/live-events';
import { corpusAvailable } from '../helpers/corpus';
import { analyzeCorpus } from './corpus-run';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is absent';
const origin = { version: '0.1.0', host: 'sensor-test' };
let devices: DeviceJson[];
let alerts: AlertJson[];

before(async () => {
  if (skip !== false) return;
  const r = await analyzeCorpus(['enip-listidentity__icsnpp-enip__enip_cip_example.pcap']);
  devices = r.inv.devices;
  alerts = r.alerts;
});

const at = (d: DeviceJson, iso: string): DeviceJson => ({ ...d, lastSeen: iso });

test('batches: each device discovered once, changed only when a tracked attribute moves', { skip }, () => {
  const live = new LiveEvents({ origin, clock: (t) => t });
  const first = live.batch({ upserts: devices, alerts: [] });
  assert.deepEqual(
    first.map((e) => [e.kind, e.device!.id]),
    devices.map((d) => ['discovered', d.id]),
  );
  // The same devices seen again (only their times moved): nothing to say.
  assert.deepEqual(
    live.batch({ upserts: devices.map((d) => at(d, '2030-01-01T00:00:00.000Z')), alerts: [] }),
    [],
  );
  const renamed = { ...devices[0]!, hostname: 'renamed-by-dhcp', firmware: '9.9' };
  const [changed, ...rest] = live.batch({ upserts: [renamed], alerts: [] });
  assert.equal(rest.length, 0);
  assert.equal(changed!.kind, 'changed');
  assert.deepEqual(
    changed!.changes!.map((c) => [c.attribute, c.new]),
    [
      ['hostname', 'renamed-by-dhcp'],
      ['firmware', '9.9'],
    ],
  );
  // Alerts carry the device as last shown.
  const a = alerts.find((x) => x.deviceId === renamed.id) ?? { ...alerts[0]!, deviceId: renamed.id };
  const [ae] = live.batch({ upserts: [], alerts: [a] });
  assert.equal(ae!.kind, 'alert');
  assert.equal(ae!.alert!.id, a.id);
  assert.equal(ae!.device!.hostname, 'renamed-by-dhcp');
  // A new run starts over: its devices are discovered again, with the same ids as before.
  live.reset();
  const again = live.batch({ upserts: devices, alerts: [] });
  assert.deepEqual(
    again.map((e) => e.id),
    first.map((e) => e.id),
  );
});

test('silences and snapshots on the clock the host gives: capture time here', { skip }, () => {
  const two = devices
    .slice(0, 2)
    .map((d, i) => at({ ...d, firstSeen: '2030-01-01T00:00:00.000Z' }, `2030-01-01T00:0${i}:00.000Z`));
  let now = Date.parse('2030-01-01T00:01:00.000Z');
  const live = new LiveEvents({
    origin,
    notSeenMs: [5 * 60_000],
    snapshotEveryMs: 60 * 60_000,
    clock: () => now,
  });
  live.batch({ upserts: two, alerts: [] });
  assert.deepEqual(live.tick(), [], 'nobody silent yet; the snapshot clock started at the first sighting');
  now = Date.parse('2030-01-01T00:05:30.000Z');
  const s1 = live.tick();
  assert.deepEqual(
    s1.map((e) => [e.kind, e.device!.id, e.time]),
    [['not-seen', two[0]!.id, '2030-01-01T00:05:00.000Z']],
  );
  now += 10_000;
  assert.deepEqual(live.tick(), [], 'once per silence');
  now = Date.parse('2030-01-01T01:01:30.000Z');
  const s2 = live.tick();
  assert.deepEqual(
    s2.filter((e) => e.kind === 'not-seen').map((e) => e.device!.id),
    [two[1]!.id],
  );
  const snap = s2.filter((e) => e.kind === 'snapshot');
  assert.equal(snap.length, 2);
  assert.ok(snap.every((e) => e.time === '2030-01-01T01:00:00.000Z' && e.snapshot!.count === 2));
  now = Date.parse('2030-01-01T01:59:00.000Z');
  assert.deepEqual(
    live.tick().filter((e) => e.kind === 'snapshot'),
    [],
    'the next one at 02:00',
  );
});

test(
  'the merged console: devices forwarded by an earlier run, ids that become qualified, devices that arrive already silent',
  { skip },
  () => {
    const hour = 3_600_000;
    const [d1, d2, ...others] = devices;
    assert.ok(d1 !== undefined && d2 !== undefined && others.length > 0);
    const t1 = Date.parse(d1.lastSeen);
    // Known from the checkpoint: no event for them, nor their silences already due at its clock.
    const late = at(d2, new Date(t1 + 2 * hour).toISOString());
    const live = new LiveEvents({ origin, notSeenMs: [hour], clock: (t) => t });
    live.forwardedBefore([d1, late]);
    assert.deepEqual(live.tick(), [], 'd1 was silent an hour already: the earlier run said so');
    assert.deepEqual(live.batch({ upserts: [d1, late], alerts: [] }), []);
    // A qualified id is the same device: not discovered again; its silence is not raised twice.
    const q = `${d1.id}@a/a`;
    live.rename(d1.id, q);
    assert.deepEqual(live.batch({ upserts: [{ ...d1, id: q }], alerts: [] }), []);
    assert.deepEqual(live.tick(), []);
    // A device from another sensor's older capture arrives already silent on the streams' clock:
    // due at the next tick, though the clock has not moved since the last look.
    const old = at(others[0]!, new Date(t1).toISOString());
    assert.deepEqual(
      live.batch({ upserts: [old], alerts: [] }).map((e) => e.kind),
      ['discovered'],
    );
    assert.deepEqual(
      live.tick().map((e) => [e.kind, e.device!.id]),
      [['not-seen', old.id]],
    );
    // Alerts with the device the host found for them.
    const a = { ...alerts[0]!, deviceId: d1.id };
    const [ae] = live.alerts([{ alert: a, device: { ...d1, id: q } }]);
    assert.equal(ae!.kind, 'alert');
    assert.equal(ae!.device!.id, q);
    assert.equal(ae!.alert!.id, a.id);
  },
);

// The clocked events (a device not seen for a set time, the periodic inventory snapshot): when they
// are due, their stable ids, and their shape in every format, on real devices from the corpus.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';
import { deviceNotSeen, snapshotEvents, type Origin } from '../../shared/forward/events';
import { Every, NotSeenWatch } from '../../shared/forward/watch';
import { toCef } from '../../shared/forward/cef';
import { toLeef, LEEF_DELIMITER } from '../../shared/forward/leef';
import { toJsonBody, toSyslog } from '../../shared/forward/syslog5424';
import { toOcsf } from '../../shared/forward/ocsf';
import { toEcs } from '../../shared/forward/ecs';
import { DEVICE_SIGNATURES } from '../../shared/forward/signatures';
import { corpusAvailable } from '../helpers/corpus';
import { analyzeCorpus } from './corpus-run';
import { parseCef } from './cef-reader';
import { missingRequired } from './ocsf-required';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is absent';
const origin: Origin = { host: 'sensor-host', site: 'plant 1', version: '0.1.0' };
let inv: InventoryJson;

before(async () => {
  if (skip !== false) return;
  ({ inv } = await analyzeCorpus(['enip-listidentity__icsnpp-enip__enip_cip_example.pcap']));
});

const MIN = 60_000;

test('a silent device is due once, again only after it was seen in between, and forgotten when gone', () => {
  const w = new NotSeenWatch(30 * MIN);
  const a = { id: 'mac:a', lastSeen: 0 };
  const b = { id: 'mac:b', lastSeen: 20 * MIN };
  assert.deepEqual(w.due(29 * MIN, [a, b]), []);
  assert.deepEqual(w.due(30 * MIN, [a, b]), ['mac:a']);
  assert.deepEqual(w.due(45 * MIN, [a, b]), [], 'not raised twice for one silence');
  assert.deepEqual(w.due(50 * MIN, [a, b]), ['mac:b']);
  a.lastSeen = 55 * MIN; // seen again
  assert.deepEqual(w.due(60 * MIN, [a, b]), []);
  assert.deepEqual(w.due(85 * MIN, [a, b]), ['mac:a'], 'a new silence is a new event');
  // b leaves the inventory (a new run) and comes back with the same last sighting: due again.
  assert.deepEqual(w.due(90 * MIN, [a]), []);
  assert.deepEqual(w.due(91 * MIN, [a, b]), ['mac:b']);
});

test('snapshots fall on period boundaries from the first time shown; a jump gives one, not a burst', () => {
  const e = new Every(60 * MIN);
  assert.equal(e.due(1000), null);
  assert.equal(e.due(1000 + 59 * MIN), null);
  assert.equal(e.due(1000 + 61 * MIN), 1000 + 60 * MIN);
  assert.equal(e.due(1000 + 62 * MIN), null);
  assert.equal(e.due(1000 + 10 * 60 * MIN + 5), 1000 + 10 * 60 * MIN, 'nine periods skipped: one snapshot');
  assert.equal(e.due(1000 + 10.5 * 60 * MIN), null);
  assert.equal(e.due(NaN), null);
});

function device(): DeviceJson {
  const d =
    inv.devices.find((x) => x.mac !== null && x.ips.length > 0 && x.hostname !== null) ?? inv.devices[0]!;
  return d;
}

test('not-seen: stable id per silence, time = last sighting + threshold, in every format', { skip }, () => {
  const d = device();
  const e = deviceNotSeen(d, 30 * MIN, origin);
  assert.equal(e.kind, 'not-seen');
  assert.equal(e.signature.id, '103');
  assert.deepEqual(e.signature, DEVICE_SIGNATURES['not-seen']);
  assert.equal(e.time, new Date(Date.parse(d.lastSeen) + 30 * MIN).toISOString());
  assert.deepEqual(e.notSeen, { afterSeconds: 1800 });
  assert.match(e.message, /^device not seen for 30m: /);
  assert.equal(e.id, deviceNotSeen(d, 30 * MIN, origin).id, 'a replay gives the same id');
  assert.notEqual(e.id, deviceNotSeen({ ...d, lastSeen: '2031-01-01T00:00:00.000Z' }, 30 * MIN, origin).id);
  assert.notEqual(e.id, deviceNotSeen(d, 60 * MIN, origin).id);

  const cef = parseCef(toCef(e, origin));
  assert.equal(cef.header[4], '103');
  assert.equal(cef.header[5], 'Device not seen');
  assert.equal(cef.ext.get('act'), 'not-seen');
  assert.equal(cef.ext.get('cat'), 'glasspane/device/not-seen');
  assert.equal(cef.ext.get('externalId'), e.id);
  assert.equal(Number(cef.ext.get('end')), Date.parse(d.lastSeen));
  assert.equal(cef.ext.get('cn2'), '1800');
  assert.equal(cef.ext.get('cn2Label'), 'notSeenSeconds');
  assert.equal(cef.ext.get('smac'), d.mac);

  const leef = toLeef(e, origin);
  const [head, attrs] = [leef.split('|').slice(0, 6), leef.split('|').slice(6).join('|')];
  assert.deepEqual(head, ['LEEF:2.0', 'Glasspane', 'Glasspane', '0.1.0', '103', LEEF_DELIMITER]);
  const kv = new Map(
    attrs.split(LEEF_DELIMITER).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
  assert.equal(kv.get('cat'), 'glasspane/device/not-seen');
  assert.equal(kv.get('notSeenSeconds'), '1800');
  assert.equal(kv.get('lastSeen'), d.lastSeen.slice(0, 23) + '+0000');
  assert.equal(kv.get('externalId'), e.id);

  const line = toSyslog(e, origin, toJsonBody(e));
  assert.match(line, /^<134>1 \S+ sensor-host glasspane - device-not-seen \[origin /);
  assert.deepEqual(JSON.parse(line.slice(line.indexOf('] ') + 2)), JSON.parse(JSON.stringify(e)));

  const ocsf = toOcsf(e, origin)!;
  assert.equal(ocsf.class_uid, 5001);
  assert.equal(ocsf.type_uid, 500102);
  assert.deepEqual(missingRequired(ocsf), []);
  assert.deepEqual((ocsf.unmapped as { glasspane: { notSeen: unknown } }).glasspane.notSeen, {
    afterSeconds: 1800,
  });
  assert.equal((ocsf.device as { last_seen_time: number }).last_seen_time, Date.parse(d.lastSeen));

  const ecs = toEcs(e, origin) as {
    event: { kind: string; type: string[]; code: string };
    glasspane: { notSeen: unknown };
  };
  assert.equal(ecs.event.kind, 'asset');
  assert.deepEqual(ecs.event.type, ['end']);
  assert.equal(ecs.event.code, '103');
  assert.deepEqual(ecs.glasspane.notSeen, { afterSeconds: 1800 });
});

test('snapshot at a time: one event per device, complete, stable, in every format', { skip }, () => {
  const at = '2030-01-01T01:00:00.000Z';
  const snap = snapshotEvents(inv.devices, at, origin);
  assert.equal(snap.length, inv.devices.length);
  assert.ok(snap.length > 1);
  const sid = snap[0]!.snapshot!.id;
  assert.ok(
    snap.every(
      (e, i) => e.snapshot!.id === sid && e.snapshot!.index === i && e.snapshot!.count === snap.length,
    ),
  );
  assert.ok(snap.every((e) => e.time === at && e.kind === 'snapshot' && e.signature.id === '102'));
  assert.deepEqual(
    snapshotEvents(inv.devices, at, origin).map((e) => e.id),
    snap.map((e) => e.id),
    'a replay gives the same ids',
  );
  const later = snapshotEvents(inv.devices, '2030-01-01T02:00:00.000Z', origin);
  assert.ok(
    later.every((e, i) => e.id !== snap[i]!.id),
    'the next period is another snapshot',
  );
  assert.equal(new Set(snap.map((e) => e.id)).size, snap.length);

  const e = snap[1]!;
  const cef = parseCef(toCef(e, origin));
  assert.equal(cef.header[4], '102');
  assert.equal(cef.ext.get('act'), 'snapshot');
  assert.equal(cef.ext.get('flexString1'), sid);
  assert.equal(cef.ext.get('flexString1Label'), 'snapshotId');
  assert.equal(cef.ext.get('flexNumber1'), '1');
  assert.equal(cef.ext.get('flexNumber2'), String(snap.length));
  const leef = toLeef(e, origin);
  assert.ok(leef.includes(`^snapshotId=${sid}^snapshotIndex=1^snapshotCount=${snap.length}`));
  assert.match(toSyslog(e, origin, toCef(e, origin)), / device-inventory \[origin /);
  const ocsf = toOcsf(e, origin)!;
  assert.equal(ocsf.class_uid, 5001);
  assert.deepEqual(missingRequired(ocsf), []);
  const ecs = toEcs(e, origin) as { event: { kind: string }; glasspane: { snapshot: unknown } };
  assert.equal(ecs.event.kind, 'asset');
  assert.deepEqual(ecs.glasspane.snapshot, e.snapshot);
});

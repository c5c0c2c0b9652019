import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyzeCommand } from '../../src-main/cli/analyze';
import { alertsCommand } from '../../src-main/cli/alerts';
import { parseDuration } from '../../src-main/cli/duration';
import { UsageError } from '../../src-main/cli/output';
import type { AlertJson } from '../../shared/model/alert';
import type { StoredDevice } from '../../src-main/store/types';
import { writePcap } from '../helpers/pcap-writer';
import { MIN, T0, announce, chat, host, tempDb } from './session';

test('analyze --db records the run; alerts lists what it raised, filtered', async () => {
  const db = tempDb('cli');
  const dir = dirname(db);
  const A = host(10);
  const B = host(11);
  const late = host(50);
  const pcap = writePcap(join(dir, 'a.pcap'), 1, [
    chat(A, B, T0),
    chat(B, A, T0 + 10 * MIN),
    chat(late, A, T0 + 90 * MIN),
    announce({ mac: late.mac, ip: B.ip }, T0 + 91 * MIN),
  ]);
  const out = join(dir, 'inv.json');
  assert.equal(await analyzeCommand([pcap], { format: 'json', out, db, learn: '1h', progress: false }), 0);
  const inv = JSON.parse(readFileSync(out, 'utf8')) as { devices: StoredDevice[] };
  assert.deepEqual(inv.devices.map((d) => d.id).sort(), [A, B, late].map((h) => 'mac:' + h.mac).sort());
  assert.ok(inv.devices.every((d) => d.authorization === 'unknown'));
  // B last spoke 80 minutes of capture time before the end.
  assert.deepEqual(
    inv.devices.filter((d) => !d.online).map((d) => d.id),
    ['mac:' + B.mac],
  );

  const list = join(dir, 'alerts.json');
  await alertsCommand({ db, format: 'json', out: list });
  const alerts = JSON.parse(readFileSync(list, 'utf8')) as AlertJson[];
  assert.deepEqual(
    alerts.map((a) => [a.kind, a.deviceId]),
    [
      ['new-device', 'mac:' + late.mac],
      ['ip-conflict', 'mac:' + late.mac],
    ],
  );
  await alertsCommand({ db, format: 'json', out: list, severity: 'high' });
  assert.deepEqual(
    (JSON.parse(readFileSync(list, 'utf8')) as AlertJson[]).map((a) => a.kind),
    ['ip-conflict'],
  );
  await alertsCommand({ db, format: 'table', out: list });
  const table = readFileSync(list, 'utf8').split('\n');
  assert.match(table[0]!, /^time\s+severity\s+kind\s+device\s+message$/);
  assert.match(table[2]!, /high\s+ip-conflict\s+mac:02:00:00:00:00:32\s+10\.0\.0\.11 claimed by/);

  // Analysing again adds nothing new: same devices, same alerts (ids are deterministic).
  await analyzeCommand([pcap], { format: 'json', out, db, progress: false });
  await alertsCommand({ db, format: 'json', out: list });
  assert.equal((JSON.parse(readFileSync(list, 'utf8')) as AlertJson[]).length, 2);

  await assert.rejects(alertsCommand({ db, severity: 'urgent' }), UsageError);
  await assert.rejects(alertsCommand({ db, since: 'yesterday-ish' }), UsageError);
  await assert.rejects(alertsCommand({ db: join(dir, 'missing.db') }), UsageError);
});

test('durations', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('2d'), 172_800_000);
  assert.equal(parseDuration('0'), 0);
  assert.throws(() => parseDuration('10'), UsageError);
  assert.throws(() => parseDuration('1w'), UsageError);
});

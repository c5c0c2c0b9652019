// Manual edits in the sensors' console (`glasspane serve --nats`), on a real nats-server with real
// `--read` sensors: an edit of a merged device is shown at once, outranks a later sensor's delta for
// the same device, goes into exports and details, is kept with --db across a restart, follows its
// device when a second site makes every id say where it is, and is the console's own: a late console
// without the store replays the streams without it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCallResult, type Snapshot } from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { TestNats } from '../helpers/nats-server';
import { BACNET_CAPTURE as A, natsCorpusSkip, passwordAuth, sensorArgs } from '../helpers/nats-sensor';
import { runCli } from '../helpers/sensor-run';
import { startServe, type ServeProcess } from './helpers/serve-process';
import { WsClient } from './helpers/ws-client';

const skip = natsCorpusSkip(A);

const EDIT = { name: 'boiler-room-ahu', type: 'plc', vendor: 'Acme Controls', notes: 'checked on site' };

async function snapshot(c: WsClient): Promise<Snapshot> {
  const r = parseCallResult('getSnapshot', await c.call('getSnapshot', {}));
  if (!r.ok) assert.fail(`getSnapshot: ${r.error.message}`);
  return r.value;
}

/** Polls the console until one of its devices passes `ok` (the sensors' deltas arrive over time). */
async function untilDevice(c: WsClient, id: string, ok: (d: DeviceJson) => boolean): Promise<DeviceJson> {
  const end = Date.now() + 60_000;
  for (;;) {
    const d = (await snapshot(c)).devices.find((x) => x.id === id);
    if (d !== undefined && ok(d)) return d;
    if (Date.now() > end) assert.fail(`device ${id} never as expected: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The device as edited by EDIT: every field shown, and marked as edited. */
function assertEdited(d: DeviceJson | undefined, what: string): void {
  assert.ok(d !== undefined, `${what}: no device`);
  assert.equal(d.hostname, EDIT.name, what);
  assert.equal(d.type, EDIT.type, what);
  assert.equal(d.vendor, EDIT.vendor, what);
  assert.equal(d.notes, EDIT.notes, what);
  assert.deepEqual(d.edited, ['name', 'type', 'vendor', 'notes'], what);
}

describe("manual edits in the sensors' console", { skip: skip ?? false }, () => {
  let nats: TestNats;
  let data: string;
  let pw: string;
  let want: DeviceJson[];
  const consoles: ServeProcess[] = [];

  before(async () => {
    nats = await new TestNats([{ user: 'sensor', password: 'sensor-secret' }]).start();
    data = mkdtempSync(join(tmpdir(), 'gp-serve-edits-'));
    pw = nats.passwordFile('sensor');
    const a = createAnalyzer();
    await analyzeFile(a, A);
    want = a.snapshot().devices;
  });

  after(async () => {
    for (const c of consoles) await c.stop('SIGKILL');
    await nats?.cleanup();
    if (data !== undefined) rmSync(data, { recursive: true, force: true });
  });

  const auth = () => passwordAuth(nats, 'sensor', pw);
  const serve = async (...args: string[]) => {
    const s = await startServe([...args, '--discover-ms', '300']);
    consoles.push(s);
    return s;
  };
  const sensor = async (name: string, site = 'a') => {
    const r = await runCli(sensorArgs(site, name, auth(), data, '--read', A));
    assert.equal(r.code, 0, r.stderr);
  };

  test('an edit survives a new delta, a restart with --db, and is not a late console without the store', async () => {
    // A device the rules name and type otherwise, so the edit is seen to win.
    const target = want.find(
      (d) => d.hostname !== EDIT.name && d.type !== EDIT.type && d.vendor !== EDIT.vendor,
    );
    assert.ok(target !== undefined && want.length > 10);
    const id = target.id;
    const db = join(data, 'console.db');
    const first = await serve(...auth(), '--db', db);
    const c1 = await WsClient.connect(first.origin, first.token);
    await sensor('s1');
    await untilDevice(c1, id, (d) => d.sensors?.join() === 's1');

    // An unknown device is refused.
    const unknown = parseCallResult(
      'editDevice',
      await c1.call('editDevice', { id: 'mac:00:00:5e:00:53:99', name: 'x' }),
    );
    assert.ok(!unknown.ok && unknown.error.code === 'bad-request', JSON.stringify(unknown));
    assert.match(unknown.error.message, /no device mac:00:00:5e:00:53:99 in the merged inventory/);
    const r = parseCallResult('editDevice', await c1.call('editDevice', { id, ...EDIT }));
    assert.ok(r.ok, JSON.stringify(r));
    assertEdited(r.value, 'the answer');
    assert.equal(r.value.site, 'a');
    // The grid is told at once, by a delta.
    const delta = await c1.waitForEvent(
      (e) =>
        e.name === 'deviceDelta' &&
        (e.payload as { upserts: DeviceJson[] }).upserts.some((d) => d.id === id && d.hostname === EDIT.name),
    );
    assert.ok(delta);

    // A second sensor at the same site hears the same device: its delta changes the device (its
    // sensors) but not the person's values.
    await sensor('s2');
    assertEdited(await untilDevice(c1, id, (d) => d.sensors?.join() === 's1,s2'), 'after a new delta');
    const details = parseCallResult('getDevice', await c1.call('getDevice', { id }));
    assert.ok(details.ok, JSON.stringify(details));
    assertEdited(details.value, 'the details');
    assert.ok((details.value.evidence?.length ?? 0) > 0, 'evidence with the details');
    // Exports carry it, like a local edit, and the merge's other devices as they are.
    const json = parseCallResult('exportReport', await c1.call('exportReport', { format: 'json' }));
    assert.ok(json.ok, JSON.stringify(json));
    const exported = (
      JSON.parse(Buffer.from(json.value.content, 'base64').toString('utf8')) as { devices: DeviceJson[] }
    ).devices;
    assert.equal(exported.length, want.length);
    assertEdited(
      exported.find((d) => d.id === id),
      'the JSON export',
    );
    const other = want.find((d) => d.id !== id)!;
    assert.equal(exported.find((d) => d.id === other.id)?.hostname, other.hostname);
    const csv = parseCallResult('exportReport', await c1.call('exportReport', { format: 'csv' }));
    assert.ok(csv.ok, JSON.stringify(csv));
    const row = Buffer.from(csv.value.content, 'base64')
      .toString('utf8')
      .split('\n')
      .find((l) => l.includes(EDIT.name));
    assert.ok(row?.includes(EDIT.vendor), `the CSV export has the edit: ${row}`);
    c1.close();
    assert.equal(await first.stop(), 0);

    // Restarted on its store: the edit is there at once, and after the streams are followed again.
    const second = await serve(...auth(), '--db', db);
    const c2 = await WsClient.connect(second.origin, second.token);
    assertEdited(
      (await snapshot(c2)).devices.find((d) => d.id === id),
      'after a restart with --db',
    );
    await sensor('s3');
    assertEdited(
      await untilDevice(c2, id, (d) => d.sensors?.join() === 's1,s2,s3'),
      'after a restart and a new delta',
    );

    // The same capture at a second site: the same MACs there, so every id now says where it is
    // (docs/schema.md), and the edit moves with its device to its new id, at restart too.
    await sensor('b1', 'b');
    const atA = (d: DeviceJson) => d.site === 'a' && (d.id === `${id}@a` || d.id.startsWith(`${id}@a/`));
    const moved = async (c: WsClient) => {
      const end = Date.now() + 60_000;
      for (;;) {
        const devices = (await snapshot(c)).devices;
        const d = devices.find(atA);
        if (d !== undefined && d.id !== id && devices.some((x) => x.site === 'b')) return devices;
        if (Date.now() > end) assert.fail(`device ${id} never took a qualified id: ${JSON.stringify(d)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const requalified = await moved(c2);
    const newId = requalified.find(atA)!.id;
    assertEdited(requalified.find(atA), 'after its id changed');
    const twin = requalified.find((d) => d.site === 'b' && d.id.startsWith(`${id}@b`));
    assert.ok(twin !== undefined && twin.edited === undefined && twin.hostname === target.hostname);
    c2.close();
    assert.equal(await second.stop(), 0);
    const third = await serve(...auth(), '--db', db);
    const c4 = await WsClient.connect(third.origin, third.token);
    assertEdited(
      (await snapshot(c4)).devices.find((d) => d.id === newId),
      'its new id after a restart',
    );
    c4.close();

    // A late console without the store replays the streams: the same device, without the edit.
    const late = await serve(...auth());
    const c3 = await WsClient.connect(late.origin, late.token);
    const plain = (await moved(c3)).find(atA)!;
    assert.equal(plain.id, newId);
    assert.equal(plain.hostname, target.hostname);
    assert.equal(plain.type, target.type);
    assert.equal(plain.edited, undefined);
    c3.close();
  });
});

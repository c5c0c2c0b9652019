// `glasspane serve --nats`: the web console follows the sensors' streams on a real nats-server (loopback,
// JetStream, passwords and per-user permissions), with real sensors reading corpus captures. Checked
// over its WebSocket: every device of each capture with its site, a late console equal to an early
// one, an account that may read one site sees that site only, and --db reopens on what it knew with
// the broker down, then follows on from where it stopped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCallResult, type Alert, type SensorStatus, type Snapshot } from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { TestNats } from '../helpers/nats-server';
import {
  BACNET_CAPTURE as A,
  DHCP_CAPTURE as B,
  ENIP_CAPTURE as C,
  natsCorpusSkip,
  passwordAuth,
  sensorArgs,
} from '../helpers/nats-sensor';
import { runCli, startCli } from '../helpers/sensor-run';
import { runServe, startServe, type ServeProcess } from './helpers/serve-process';
import { WsClient } from './helpers/ws-client';

const skip = natsCorpusSkip(A, B, C);

type Shape = Pick<DeviceJson, 'type' | 'packets' | 'mac'>;

async function analysed(file: string): Promise<Map<string, Shape>> {
  const a = createAnalyzer();
  await analyzeFile(a, file);
  return new Map(a.snapshot().devices.map((d) => [d.id, { type: d.type, packets: d.packets, mac: d.mac }]));
}

function bySite(devices: DeviceJson[], site: string): Map<string, Shape> {
  return new Map(
    devices
      .filter((d) => d.site === site)
      .map((d) => [d.id, { type: d.type, packets: d.packets, mac: d.mac }]),
  );
}

async function snapshot(c: WsClient): Promise<Snapshot> {
  const r = parseCallResult('getSnapshot', await c.call('getSnapshot', {}));
  if (!r.ok) assert.fail(`getSnapshot: ${r.error.message}`);
  return r.value;
}

/** Polls the console until it shows `n` devices (the sensors' deltas arrive over time). */
async function until(c: WsClient, n: number, ms = 60_000): Promise<Snapshot> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await snapshot(c);
    if (s.devices.length === n) return s;
    if (Date.now() > end) assert.fail(`the console shows ${s.devices.length} devices, not ${n}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sorted = (s: Snapshot) => ({
  devices: [...s.devices].sort((x, y) => (x.id < y.id ? -1 : 1)),
  edges: [...s.edges].sort((x, y) => (`${x.a} ${x.b}` < `${y.a} ${y.b}` ? -1 : 1)),
});

describe('glasspane serve --nats', { skip: skip ?? false }, () => {
  let nats: TestNats;
  let data: string;
  let pw: string;
  let wantA: Map<string, Shape>;
  let wantB: Map<string, Shape>;
  const consoles: ServeProcess[] = [];

  before(async () => {
    nats = await new TestNats([
      { user: 'sensor', password: 'sensor-secret' },
      // The read-only console of docs/sensors.md, for site a only.
      {
        user: 'console-a',
        password: 'console-a-secret',
        publish: [
          '$JS.API.INFO',
          '$JS.API.STREAM.NAMES',
          '$JS.API.STREAM.INFO.GLASSPANE_a',
          '$JS.API.CONSUMER.CREATE.GLASSPANE_a',
          '$JS.API.CONSUMER.CREATE.GLASSPANE_a.>',
          '$JS.API.CONSUMER.INFO.GLASSPANE_a.>',
          '$JS.API.CONSUMER.DELETE.GLASSPANE_a.>',
          '$JS.API.CONSUMER.MSG.NEXT.GLASSPANE_a.>',
        ],
        subscribe: ['_INBOX.>'],
      },
    ]).start();
    data = mkdtempSync(join(tmpdir(), 'gp-serve-nats-'));
    pw = nats.passwordFile('sensor');
    [wantA, wantB] = await Promise.all([analysed(A), analysed(B)]);
  });

  after(async () => {
    for (const c of consoles) await c.stop('SIGKILL');
    await nats?.cleanup();
    if (data !== undefined) rmSync(data, { recursive: true, force: true });
  });

  const auth = (user = 'sensor', file = pw) => passwordAuth(nats, user, file);
  const serve = async (...args: string[]) => {
    const s = await startServe([...args, '--discover-ms', '300']);
    consoles.push(s);
    return s;
  };
  const sensor = async (site: string, name: string, file: string) => {
    const r = await runCli(sensorArgs(site, name, auth(), data, '--read', file));
    assert.equal(r.code, 0, r.stderr);
  };

  test('an early console follows two sites live; a late one replays to the same inventory', async () => {
    // Started before any sensor: the sites have no stream yet, and it waits for them.
    const early = await serve(...auth(), '--site', 'a', '--site', 'b');
    await early.waitForStderr(/site a has no stream yet/);
    const ce = await WsClient.connect(early.origin, early.token);
    await sensor('a', 's1', A);
    await sensor('b', 's2', B);
    const se = await until(ce, wantA.size + wantB.size);
    assert.ok(wantA.size > 10 && wantB.size > 2);
    assert.deepEqual(bySite(se.devices, 'a'), wantA);
    assert.deepEqual(bySite(se.devices, 'b'), wantB);
    assert.ok(se.devices.filter((d) => d.site === 'a').every((d) => d.sensors?.join() === 's1'));
    assert.ok(se.edges.length > 0);
    // Both sensors, from their health messages: a --read run ends with a final one (stopped).
    const ls = parseCallResult('listSensors', await ce.call('listSensors', {}));
    assert.ok(ls.ok && ls.value.supported, JSON.stringify(ls));
    assert.equal(ls.value.silenceMs, 5 * 60_000);
    assert.equal(ls.value.maxClockSkewMs, 30_000);
    assert.deepEqual(
      ls.value.sensors.map((x) => [x.site, x.sensor, x.mode, x.state, x.skewed]),
      [
        ['a', 's1', 'read', 'stopped', false],
        ['b', 's2', 'read', 'stopped', false],
      ],
    );
    assert.equal(ls.value.sensors[0]!.packets, 3257);
    // The deltas the UI was sent carry the site too.
    const delta = await ce.waitForEvent(
      (e) =>
        e.name === 'deviceDelta' &&
        (e.payload as { upserts: DeviceJson[] }).upserts.some((d) => d.site === 'b'),
    );
    assert.ok(delta);
    // A capture cannot be opened beside the sensors' inventory.
    const refused = parseCallResult('openCapture', await ce.call('openCapture', { paths: [C] }));
    assert.ok(!refused.ok && refused.error.code === 'unavailable', JSON.stringify(refused));
    // Details come with evidence and who heard it.
    const id = [...wantB.keys()][0]!;
    const d = parseCallResult('getDevice', await ce.call('getDevice', { id }));
    assert.ok(d.ok, JSON.stringify(d));
    assert.equal(d.value.site, 'b');
    assert.ok((d.value.evidence?.length ?? 0) > 0, 'evidence with the details');
    ce.close();

    // Started after everything was published, listing the sites itself.
    const late = await serve(...auth());
    const cl = await WsClient.connect(late.origin, late.token);
    const sl = await until(cl, wantA.size + wantB.size);
    assert.deepEqual(sorted(sl), sorted(await snapshot(await WsClient.connect(early.origin, early.token))));
    cl.close();
  });

  test('an account that may read site a only sees site a; naming site b is refused', async () => {
    const file = nats.passwordFile('console-a');
    const s = await serve(...auth('console-a', file));
    const c = await WsClient.connect(s.origin, s.token);
    const snap = await until(c, wantA.size);
    assert.deepEqual(bySite(snap.devices, 'a'), wantA);
    assert.equal(snap.devices.filter((d) => d.site !== 'a').length, 0);
    await s.waitForStderr(/warning: cannot read stream GLASSPANE_b: may this account read site b\?; skipped/);
    c.close();
    const r = await runServe(['--port', '0', ...auth('console-a', file), '--site', 'b']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^glasspane: cannot read stream GLASSPANE_b: may this account read site b\?/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  test('wrong credentials: one line, exit 2', async () => {
    const bad = nats.passwordFile('bad', 'not-the-password');
    const r = await runServe(['--port', '0', ...auth('sensor', bad)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the NATS server at nats:\/\/127\.0\.0\.1:\d+ refused these credentials/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  test('--db: a restart without the broker shows the last merged inventory, then follows on', async () => {
    const db = join(data, 'console.db');
    const first = await serve(...auth(), '--db', db);
    const c1 = await WsClient.connect(first.origin, first.token);
    const before = sorted(await until(c1, wantA.size + wantB.size));
    c1.close();
    assert.equal(await first.stop(), 0);

    await nats.stop();
    const second = await serve(...auth(), '--db', db);
    await second.waitForStderr(/cannot reach the NATS server/);
    const c2 = await WsClient.connect(second.origin, second.token);
    assert.deepEqual(sorted(await snapshot(c2)), before, 'the store shows what the console knew');

    // The broker returns and a new site appears: followed from where the store stopped, nothing counted twice.
    await nats.start();
    await sensor('c', 's3', C);
    const wantC = await analysed(C);
    const after = await until(c2, wantA.size + wantB.size + wantC.size, 90_000);
    assert.deepEqual(bySite(after.devices, 'c'), wantC);
    assert.deepEqual(bySite(after.devices, 'a'), wantA);
    assert.deepEqual(bySite(after.devices, 'b'), wantB);
    c2.close();
  });

  test('a live sensor silenced past --sensor-silence: disconnected with ONE alert; back: one reconnected', async () => {
    const s = await serve(...auth(), '--site', 'live', '--sensor-silence', '15s');
    const c = await WsClient.connect(s.origin, s.token);
    const sensorOf = async (): Promise<SensorStatus | undefined> => {
      const r = parseCallResult('listSensors', await c.call('listSensors', {}));
      assert.ok(r.ok, JSON.stringify(r));
      return r.value.sensors.find((x) => x.site === 'live' && x.sensor === 'l1');
    };
    const untilState = async (state: SensorStatus['state'], ms: number) => {
      const end = Date.now() + ms;
      while ((await sensorOf())?.state !== state) {
        if (Date.now() > end)
          assert.fail(`sensor live/l1 never ${state}: ${JSON.stringify(await sensorOf())}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const kinds = () =>
      c.events
        .filter((e) => e.name === 'alert')
        .map((e) => (e.payload as Alert).kind)
        .filter((k) => k.startsWith('sensor.'));
    const live = () => startCli(sensorArgs('live', 'l1', auth(), data, '--iface', 'lo'));

    const first = live();
    try {
      await untilState('connected', 60_000);
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.done;
    await untilState('disconnected', 60_000);
    // Checked again and again past the threshold: still the one alert.
    await new Promise((r) => setTimeout(r, 5000));
    assert.deepEqual(kinds(), ['sensor.disconnected']);
    const listed = parseCallResult('listAlerts', await c.call('listAlerts', {}));
    assert.ok(listed.ok);
    const down = listed.value.alerts.filter((a) => a.kind === 'sensor.disconnected');
    assert.equal(down.length, 1);
    assert.equal(down[0]!.detail.site, 'live');
    assert.match(
      down[0]!.message,
      /sensor l1 at site live is silent: no health message since .* \(more than 15 s\)/,
    );

    const second = live();
    try {
      await untilState('connected', 60_000);
      await c.waitForEvent((e) => e.name === 'alert' && (e.payload as Alert).kind === 'sensor.reconnected');
      assert.deepEqual(kinds(), ['sensor.disconnected', 'sensor.reconnected']);
    } finally {
      second.child.kill('SIGTERM');
      await second.done;
    }
    c.close();
  });
});

// `glasspane sensor` and `glasspane inventory --nats` against a real nats-server on loopback, with
// JetStream and passwords: two sites merge into one inventory that equals each capture analysed
// alone, a replay stores nothing twice, wrong credentials publish nothing, and a broker outage or a
// kill -9 loses nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';
import { TestNats } from '../helpers/nats-server';
import {
  BACNET_CAPTURE as A,
  DHCP_CAPTURE as B,
  ENIP_CAPTURE as C,
  natsCorpusSkip,
  passwordAuth,
  sensorArgs,
  siteMessages,
} from '../helpers/nats-sensor';
import { makeTestCa } from '../helpers/test-ca';
import { createUser } from '@nats-io/nkeys';
import { DEFAULT_STREAM_LIMITS, streamConfig } from '../../src-main/sensor/site-stream';

const cli = resolve(import.meta.dirname, '..', '..', 'src-main', 'cli', 'glasspane.ts');
const skip = natsCorpusSkip(A, B, C);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Child {
  run: Run;
  pid: number;
  done: Promise<Run>;
}

function start(args: string[]): Child {
  const p = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { code: null, signal: null, stdout: '', stderr: '' };
  p.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => {
    run.stderr += d.toString();
    if (process.env.DEBUG_SENSOR) process.stderr.write(d);
  });
  const done = new Promise<Run>((r) =>
    p.on('close', (code, signal) => {
      run.code = code;
      run.signal = signal;
      r(run);
    }),
  );
  return { run, pid: p.pid!, done };
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

/** The device ids, types and packet counts an analysis of the captures alone gives, by id. */
async function analysed(
  ...files: string[]
): Promise<Map<string, Pick<DeviceJson, 'type' | 'packets' | 'mac'>>> {
  const a = createAnalyzer();
  for (const f of files) await analyzeFile(a, f);
  return new Map(a.snapshot().devices.map((d) => [d.id, { type: d.type, packets: d.packets, mac: d.mac }]));
}

function bySite(inv: InventoryJson, site: string): Map<string, Pick<DeviceJson, 'type' | 'packets' | 'mac'>> {
  return new Map(
    inv.devices
      .filter((d) => d.site === site)
      .map((d) => [d.id, { type: d.type, packets: d.packets, mac: d.mac }]),
  );
}

describe('glasspane sensor and inventory --nats', { skip: skip ?? false }, () => {
  let nats: TestNats;
  let data: string;
  let pw: string;
  let admin: NatsConnection;

  before(async () => {
    nats = await new TestNats([
      { user: 'admin', password: 'admin-secret' },
      { user: 'sensor', password: 'sensor-secret' },
      // The least-privilege layout of docs/sensors.md: a publish-only sensor, a console for one site.
      { user: 'lp-s1', password: 'lp-s1-secret', publish: ['glasspane.lp.s1.>'], subscribe: ['_INBOX.>'] },
      {
        user: 'console-lp',
        password: 'console-secret',
        publish: [
          '$JS.API.INFO',
          '$JS.API.STREAM.NAMES',
          '$JS.API.STREAM.INFO.GLASSPANE_lp',
          '$JS.API.CONSUMER.CREATE.GLASSPANE_lp',
          '$JS.API.CONSUMER.CREATE.GLASSPANE_lp.>',
          '$JS.API.CONSUMER.INFO.GLASSPANE_lp.>',
          '$JS.API.CONSUMER.DELETE.GLASSPANE_lp.>',
          '$JS.API.CONSUMER.MSG.NEXT.GLASSPANE_lp.>',
        ],
        subscribe: ['_INBOX.>'],
      },
    ]).start();
    data = mkdtempSync(join(tmpdir(), 'gp-sensor-'));
    pw = nats.passwordFile('sensor');
    admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin-secret' });
  });

  after(async () => {
    await admin?.close();
    await nats?.cleanup();
    if (data !== undefined) rmSync(data, { recursive: true, force: true });
  });

  const auth = () => passwordAuth(nats, 'sensor', pw);
  const sensor = (site: string, name: string, ...rest: string[]) =>
    start(sensorArgs(site, name, auth(), data, ...rest));
  const inventory = async (...rest: string[]): Promise<InventoryJson> => {
    const r = await start(['inventory', ...auth(), '--format', 'json', ...rest]).done;
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as InventoryJson;
  };
  const messages = (site: string) => siteMessages(admin, site);

  test('two sites merge: every device of each capture, with its site; --site picks one', async () => {
    const ra = await sensor('a', 's1', '--read', A).done;
    assert.equal(ra.code, 0, ra.stderr);
    assert.match(ra.stderr, /42 devices from 3257 frames/);
    const rb = await sensor('b', 's2', '--read', B).done;
    assert.equal(rb.code, 0, rb.stderr);
    const inv = await inventory();
    const wantA = await analysed(A);
    const wantB = await analysed(B);
    assert.ok(wantA.size > 10 && wantB.size > 2);
    assert.deepEqual(bySite(inv, 'a'), wantA);
    assert.deepEqual(bySite(inv, 'b'), wantB);
    assert.equal(inv.devices.length, wantA.size + wantB.size, 'no device without a site');
    assert.ok(inv.devices.filter((d) => d.site === 'a').every((d) => d.sensors?.join() === 's1'));
    const onlyA = await inventory('--site', 'a');
    assert.deepEqual(bySite(onlyA, 'a'), wantA);
    assert.equal(onlyA.devices.length, wantA.size);
    // Table and CSV say the site too.
    const csv = await start(['inventory', ...auth(), '--site', 'b', '--format', 'csv']).done;
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, wantB.size);
    assert.ok(
      rows.every((r) => r.site === 'b' && r.sensors === 's2'),
      csv.stdout,
    );
  });

  test('a replay of the same capture stores nothing twice', async () => {
    const before = await messages('a');
    assert.ok(before > 0);
    const inv1 = await inventory('--site', 'a');
    const r = await sensor('a', 's1', '--read', A).done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /0 stored, \d+ already in the stream/);
    assert.equal(await messages('a'), before);
    const inv2 = await inventory('--site', 'a');
    assert.deepEqual(inv2.devices, inv1.devices);
  });

  test('wrong password: refused in one line, exit 2, nothing published', async () => {
    const bad = nats.passwordFile('wrong', 'not-the-password');
    const r = await start(sensorArgs('w', 's1', passwordAuth(nats, 'sensor', bad), data, '--read', A)).done;
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^glasspane: the NATS server at nats:\/\/127\.0\.0\.1:\d+ refused these credentials \(Authorization Violation\)/,
    );
    assert.equal(await messages('w'), -1, 'no stream, no message');
    // A password on the command line is refused before anything connects.
    const inUrl = await start([
      'sensor',
      '--site',
      'w',
      '--nats',
      `nats://sensor:sensor-secret@127.0.0.1:${nats.port}`,
      '--read',
      A,
    ]).done;
    assert.equal(inUrl.code, 2);
    assert.match(inUrl.stderr, /must not hold a password/);
    // Bad names are refused the same way.
    const dotted = await sensor('a.b', 's1', '--read', A).done;
    assert.equal(dotted.code, 2);
    assert.match(dotted.stderr, /the site name "a\.b" is a letter or digit, then letters, digits/);
  });

  test('broker away at the start and stopped mid-run: the sensor buffers and catches up, in full', async () => {
    const fifo = join(data, 'second.pcap');
    execFileSync('mkfifo', [fifo]);
    const s = sensor('c', 's1', '--read', A, fifo);
    // A is read and published; the sensor then blocks on the FIFO.
    assert.ok(await waitFor(async () => (await messages('c')) > 0, 30_000), s.run.stderr);
    await nats.stop();
    await pipeline(createReadStream(B), createWriteStream(fifo));
    assert.ok(await waitFor(() => s.run.stderr.includes('waiting for the broker'), 30_000), s.run.stderr);
    await nats.start();
    const r = await s.done;
    assert.equal(r.code, 0, r.stderr);
    await admin.close();
    admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin-secret' });
    const inv = await inventory('--site', 'c');
    assert.deepEqual(bySite(inv, 'c'), await analysed(A, B));

    // Away from the start: a warning, analysis anyway, and everything once it is back.
    await nats.stop();
    const late = sensor('d', 's1', '--read', C);
    assert.ok(
      await waitFor(() => late.run.stderr.includes('waiting for the broker'), 30_000),
      late.run.stderr,
    );
    assert.match(late.run.stderr, /cannot reach the NATS server .*buffering on disk/);
    await nats.start();
    const rl = await late.done;
    assert.equal(rl.code, 0, rl.stderr);
    await admin.close();
    admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin-secret' });
    assert.deepEqual(bySite(await inventory('--site', 'd'), 'd'), await analysed(C));
  });

  test('least privilege: a publish-only sensor into a stream made by the operator, a console that reads one site', async () => {
    const jsm = await jetstreamManager(admin);
    await jsm.streams.add(streamConfig('lp', DEFAULT_STREAM_LIMITS));
    const other = await sensor('lq', 's1', '--read', B).done;
    assert.equal(other.code, 0, other.stderr);
    const spw = nats.passwordFile('lp-s1');
    const lpAuth = passwordAuth(nats, 'lp-s1', spw);
    const r = await start(sensorArgs('lp', 's1', lpAuth, data, '--read', C)).done;
    assert.equal(r.code, 0, r.stderr);
    // Publishing as another sensor of the site is not this account's right: nothing is stored.
    const before = await messages('lp');
    const as2 = await start(sensorArgs('lp', 's2', lpAuth, data, '--read', A, '--wait', '3s')).done;
    assert.equal(as2.code, 1, as2.stderr);
    assert.match(as2.stderr, /refuses this sensor's messages/);
    assert.equal(await messages('lp'), before);
    const cpw = nats.passwordFile('console-lp');
    const cAuth = ['--nats', nats.url, '--user', 'console-lp', '--password-file', cpw];
    const all = await start(['inventory', ...cAuth, '--format', 'json']).done;
    assert.equal(all.code, 0, all.stderr);
    const inv = JSON.parse(all.stdout) as InventoryJson;
    assert.deepEqual(bySite(inv, 'lp'), await analysed(C));
    assert.equal(inv.devices.length, (await analysed(C)).size, 'nothing from the sites it may not read');
    assert.match(all.stderr, /cannot read stream GLASSPANE_lq .*skipped/);
    const lq = await start(['inventory', ...cAuth, '--site', 'lq']).done;
    assert.equal(lq.code, 2);
    assert.match(
      lq.stderr,
      /^glasspane: cannot read stream GLASSPANE_lq .*may this account read site lq\?\n$/,
    );
  });

  test('--config: YAML with the options named as on the command line, the command line wins; a bad key is one line', async () => {
    const conf = join(data, 'sensor.yaml');
    writeFileSync(
      conf,
      `site: not-this-one\nsensor: cfg\nnats: ${nats.url}\nuser: sensor\npassword-file: ${pw}\nread: [${C}]\n`,
    );
    const r = await start(['sensor', '--config', conf, '--site', 'g', '--data-dir', data]).done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await messages('not-this-one'), -1);
    const inv = await inventory('--site', 'g');
    assert.deepEqual(bySite(inv, 'g'), await analysed(C));
    assert.ok(inv.devices.every((d) => d.sensors?.join() === 'cfg'));
    writeFileSync(conf, 'site: g\npasword-file: /tmp/x\n');
    const bad = await start(['sensor', '--config', conf]).done;
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^glasspane: sensor config .*sensor\.yaml: unknown option pasword-file; keys are/,
    );
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  test('a full buffer drops the oldest messages, counts them and says so', async () => {
    await nats.stop();
    try {
      const r = await sensor('h', 's1', '--read', A, B, '--buffer-size', '2kB', '--wait', '2s').done;
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /; [1-9]\d* dropped because the buffer was full \(--buffer-size\); \d+ message\(s\) still unacknowledged/,
      );
    } finally {
      await nats.start();
      await admin.close();
      admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin-secret' });
    }
  });

  test('kill -9 with messages buffered, start again: nothing lost, nothing stored twice', async () => {
    await nats.stop();
    const s = sensor('e', 's1', '--read', A, B);
    assert.ok(await waitFor(() => s.run.stderr.includes('waiting for the broker'), 30_000), s.run.stderr);
    process.kill(s.pid, 'SIGKILL');
    assert.equal((await s.done).signal, 'SIGKILL');
    await nats.start();
    await admin.close();
    admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin-secret' });
    const r = await sensor('e', 's1', '--read', A, B).done;
    assert.equal(r.code, 0, r.stderr);
    // The killed run's buffer went first; this run's own messages were the same ones.
    assert.match(r.stderr, /[1-9]\d* already in the stream/);
    const count = await messages('e');
    assert.deepEqual(bySite(await inventory('--site', 'e'), 'e'), await analysed(A, B));
    const again = await sensor('e', 's1', '--read', A, B).done;
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await messages('e'), count);
  });
});

describe('glasspane sensor: nkey seed and TLS with a private CA', { skip: skip ?? false }, () => {
  let nats: TestNats;
  let data: string;
  let seedFile: string;
  let ca: string;

  before(async () => {
    const pki = makeTestCa();
    ca = pki.ca;
    const kp = createUser();
    nats = await new TestNats([], {
      tls: { cert: pki.cert, key: pki.key },
      nkeys: [kp.getPublicKey()],
    }).start();
    data = mkdtempSync(join(tmpdir(), 'gp-sensor-tls-'));
    seedFile = join(data, 'sensor.nk');
    writeFileSync(seedFile, new TextDecoder().decode(kp.getSeed()) + '\n', { mode: 0o600 });
  });

  after(async () => {
    await nats?.cleanup();
    if (data !== undefined) rmSync(data, { recursive: true, force: true });
  });

  test('publishes over TLS with an nkey; an unknown CA or a bad seed is one line and exit 2', async () => {
    const url = `tls://127.0.0.1:${nats.port}`;
    const base = ['sensor', '--site', 't', '--sensor', 's1', '--nats', url, '--data-dir', data, '--read', C];
    const r = await start([...base, '--nkey-seed', seedFile, '--tls-ca', ca]).done;
    assert.equal(r.code, 0, r.stderr);
    const inv = await start([
      'inventory',
      '--nats',
      url,
      '--nkey-seed',
      seedFile,
      '--tls-ca',
      ca,
      '--format',
      'json',
    ]).done;
    assert.equal(inv.code, 0, inv.stderr);
    assert.deepEqual(bySite(JSON.parse(inv.stdout) as InventoryJson, 't'), await analysed(C));
    const untrusted = await start([...base, '--nkey-seed', seedFile]).done;
    assert.equal(untrusted.code, 2, untrusted.stderr);
    assert.match(
      untrusted.stderr,
      /^glasspane: TLS with the NATS server at tls:\/\/127\.0\.0\.1:\d+ failed \(.+\): check --tls-ca/,
    );
    assert.equal(untrusted.stderr.trim().split('\n').length, 1);
    const other = join(data, 'other.nk');
    writeFileSync(other, new TextDecoder().decode(createUser().getSeed()));
    const refused = await start([...base, '--nkey-seed', other, '--tls-ca', ca]).done;
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /refused these credentials/);
    writeFileSync(other, 'not a seed');
    const junk = await start([...base, '--nkey-seed', other, '--tls-ca', ca]).done;
    assert.equal(junk.code, 2);
    assert.match(junk.stderr, /does not hold a user nkey seed/);
  });
});

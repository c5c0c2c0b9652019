// The connection dialog's engine side, over `glasspane serve`'s WebSocket (the desktop app's engine is
// the same): setSensorConnection points a console at a real nats-server (JetStream, passwords) that a
// real sensor filled, the settings are kept in the data folder (0600, the password file's path, never
// the password), a bad setting is refused with the reason and not saved, and a restarted console
// follows the saved settings by itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCallResult, type Snapshot } from '../../shared/ipc/contract';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { TestNats } from '../helpers/nats-server';
import { BACNET_CAPTURE as A, natsCorpusSkip, passwordAuth, sensorArgs } from '../helpers/nats-sensor';
import { runCli } from '../helpers/sensor-run';
import { startServe, type ServeProcess } from './helpers/serve-process';
import { WsClient } from './helpers/ws-client';

const skip = natsCorpusSkip(A);

let nats: TestNats;
let dir: string;
let want: number;
const consoles: ServeProcess[] = [];

before(async () => {
  if (skip !== null) return;
  nats = await new TestNats([{ user: 'sensor', password: 'sensor-secret' }]).start();
  dir = mkdtempSync(join(tmpdir(), 'gp-serve-conn-'));
  const r = await runCli(
    sensorArgs('a', 's1', passwordAuth(nats, 'sensor'), join(dir, 'sensor'), '--read', A),
  );
  assert.equal(r.code, 0, r.stderr);
  const a = createAnalyzer();
  await analyzeFile(a, A);
  want = a.snapshot().devices.length;
});

after(async () => {
  for (const c of consoles) await c.stop('SIGKILL');
  await nats?.cleanup();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function until(c: WsClient, n: number, ms = 60_000): Promise<Snapshot> {
  const end = Date.now() + ms;
  for (;;) {
    const r = parseCallResult('getSnapshot', await c.call('getSnapshot', {}));
    assert.ok(r.ok);
    if (r.value.devices.length === n) return r.value;
    if (Date.now() > end) assert.fail(`the console shows ${r.value.devices.length} devices, not ${n}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

test(
  'set, kept in the data folder, refused when wrong, followed again after a restart',
  { skip: skip ?? false },
  async () => {
    const data = join(dir, 'console-data');
    const file = join(data, 'console', 'sensors.json');
    const s1 = await startServe(['--data-dir', data]);
    consoles.push(s1);
    const c = await WsClient.connect(s1.origin, s1.token);
    const none = parseCallResult('getSensorConnection', await c.call('getSensorConnection', {}));
    assert.ok(none.ok);
    assert.deepEqual(none.value, { supported: true, settings: null, message: null });

    const bad = nats.passwordFile('bad', 'not-the-password');
    const refused = parseCallResult(
      'setSensorConnection',
      await c.call('setSensorConnection', {
        settings: { nats: nats.url, user: 'sensor', passwordFile: bad, sites: ['a'] },
      }),
    );
    assert.ok(!refused.ok && refused.error.code === 'bad-request', JSON.stringify(refused));
    assert.match(refused.error.message, /refused these credentials/);
    const missing = parseCallResult(
      'setSensorConnection',
      await c.call('setSensorConnection', {
        settings: { nats: nats.url, user: 'sensor', passwordFile: join(dir, 'nope'), sites: [] },
      }),
    );
    assert.ok(!missing.ok && /cannot read --password-file .*nope: no such file/.test(missing.error.message));
    assert.equal(existsSync(file), false, 'nothing saved');

    const pw = nats.passwordFile('sensor');
    const settings = { nats: nats.url, user: 'sensor', passwordFile: pw, sites: ['a'] };
    const ok = parseCallResult('setSensorConnection', await c.call('setSensorConnection', { settings }));
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.deepEqual(ok.value.settings, settings);
    const snap = await until(c, want);
    assert.ok(snap.devices.every((d) => d.site === 'a'));
    const saved = readFileSync(file, 'utf8');
    assert.deepEqual(JSON.parse(saved), settings);
    assert.doesNotMatch(saved, /sensor-secret/, 'the password itself is never saved');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const open = parseCallResult('openCapture', await c.call('openCapture', { paths: [A] }));
    assert.ok(!open.ok && open.error.code === 'unavailable');
    c.close();
    assert.equal(await s1.stop(), 0);

    const s2 = await startServe(['--data-dir', data]);
    consoles.push(s2);
    const c2 = await WsClient.connect(s2.origin, s2.token);
    await until(c2, want);
    const again = parseCallResult('getSensorConnection', await c2.call('getSensorConnection', {}));
    assert.ok(again.ok);
    assert.deepEqual(again.value.settings, settings);
    assert.match(again.value.message ?? '', /following site\(s\) a at nats:/);
    c2.close();
  },
);

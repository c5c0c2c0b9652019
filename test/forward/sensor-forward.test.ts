// `glasspane sensor --forward` and `glasspane inventory --nats --forward` against a real nats-server
// and a real rsyslog on loopback: the sensor's devices and alerts carry its site and name, a replay
// of the same captures gives the same event ids, and the merged inventory read from the streams
// forwards each device with its site and sensors, the same ids on every read of the same streams.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import type { ForwardEvent } from '../../shared/forward/events';
import type { InventoryJson } from '../../shared/model/inventory';
import { PCAPS } from '../helpers/corpus';
import { natsUnavailable, TestNats } from '../helpers/nats-server';
import { parseCef } from './cef-reader';
import { RSYSLOG_SKIP, startRsyslog, type Rsyslog } from './rsyslog';

const cli = resolve(import.meta.dirname, '..', '..', 'src-main', 'cli', 'glasspane.ts');
/** 2 EtherNet/IP devices; with --learn 0 each raises a new-device alert. */
const C = join(PCAPS, 'enip-listidentity__iti-ics__enip_test.pcap');
/** 4 devices from DHCP. */
const B = join(PCAPS, 'dhcp__tcpdump__dhcp-mud.pcap');

const skip =
  natsUnavailable() ||
  RSYSLOG_SKIP ||
  (!existsSync(C) || !existsSync(B) ? 'the shared capture corpus is not here' : false);

const SYSLOG = /^<(\d+)>1 (\S+) (\S+) glasspane (\d+) (\S+) (\[origin [^\]]*\]) (.*)$/s;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function glasspane(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r: Run = { code: null, stdout: '', stderr: '' };
    p.stdout.on('data', (d: Buffer) => (r.stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (r.stderr += d.toString()));
    p.on('close', (code) => {
      r.code = code;
      done(r);
    });
  });
}

async function deviceIds(file: string): Promise<string[]> {
  const a = createAnalyzer();
  await analyzeFile(a, file);
  return a
    .snapshot()
    .devices.map((d) => d.id)
    .sort();
}

describe('sensor and inventory --nats forward to a SIEM', { skip }, () => {
  let nats: TestNats;
  let rs: Rsyslog;
  let tmp: string;
  let pw: string;
  let n = 0;
  const fresh = () => join(tmp, `data-${++n}`);

  before(async () => {
    nats = await new TestNats([{ user: 'sensor', password: 'fwd-secret' }]).start();
    rs = await startRsyslog();
    tmp = mkdtempSync(join(tmpdir(), 'gp-sensor-fwd-'));
    pw = nats.passwordFile('sensor');
  });

  after(async () => {
    await rs?.stop();
    await nats?.cleanup();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  const auth = () => ['--nats', nats.url, '--user', 'sensor', '--password-file', pw];
  const json = () => `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=json`;
  const cef = () => `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=cef`;

  /** The messages rsyslog got from line `from` on, once `n` arrived (and a little longer). */
  async function received(from: number, n: number): Promise<string[]> {
    return (await rs.waitFor(from + n, 20_000)).slice(from);
  }

  let sensorEvents: ForwardEvent[] = [];

  test('sensor --read: one event per device and per alert, each with its site and sensor; a replay has the same ids', async () => {
    const from = rs.lines().length;
    const sensor = (data: string) =>
      glasspane(
        ...['sensor', '--site', 'fa', '--sensor', 's1', ...auth(), '--data-dir', data, '--learn', '0'],
        ...['--read', C, '--forward', json()],
      );
    const r = await sensor(fresh());
    assert.equal(r.code, 0, r.stderr);
    const alerts = Number(/queued \d+ delta\(s\), (\d+) alert\(s\)/.exec(r.stderr)?.[1]);
    assert.ok(alerts > 0, `the capture raises alerts with --learn 0: ${r.stderr}`);
    const ids = await deviceIds(C);
    assert.match(r.stderr, new RegExp(`forwarded ${ids.length + alerts} event\\(s\\) to syslog\\+tcp`));
    const lines = await received(from, ids.length + alerts);
    assert.equal(lines.length, ids.length + alerts, lines.join('\n'));
    const parsed = lines.map((l) => {
      const m = SYSLOG.exec(l);
      assert.ok(m !== null, l);
      // The syslog HOSTNAME is the sensor.
      assert.equal(m[3], 's1');
      return JSON.parse(m[7]!) as ForwardEvent;
    });
    sensorEvents = parsed;
    assert.deepEqual(
      parsed
        .filter((e) => e.kind === 'discovered')
        .map((e) => e.device!.id)
        .sort(),
      ids,
      'one discovered event per device of the capture',
    );
    const raised = parsed.filter((e) => e.kind === 'alert');
    assert.equal(raised.length, alerts);
    assert.equal(new Set(raised.map((e) => e.alert!.id)).size, alerts, 'each alert once');
    for (const e of parsed) {
      assert.equal(e.device?.site, 'fa', JSON.stringify(e));
      assert.equal(e.device?.sensor, 's1', JSON.stringify(e));
    }

    // The same captures read again by the same sensor (its data folder gone): the same events.
    const again = rs.lines().length;
    const r2 = await sensor(fresh());
    assert.equal(r2.code, 0, r2.stderr);
    const replay = (await received(again, parsed.length)).map(
      (l) => JSON.parse(SYSLOG.exec(l)![7]!) as ForwardEvent,
    );
    assert.deepEqual(
      replay.map((e) => e.id).sort(),
      parsed.map((e) => e.id).sort(),
      'a replay gives the same ids',
    );
  });

  test('inventory --nats --forward: the merged devices with their site and sensors, the same ids on every read', async () => {
    assert.ok(sensorEvents.length > 0, 'runs after the sensor test');
    const s2 = await glasspane(
      ...['sensor', '--site', 'fb', '--sensor', 's2', ...auth(), '--data-dir', fresh(), '--read', B],
    );
    assert.equal(s2.code, 0, s2.stderr);
    const read = async () => {
      const from = rs.lines().length;
      const r = await glasspane(
        ...['inventory', ...auth(), '--site', 'fa', '--site', 'fb', '--format', 'json'],
        ...['--data-dir', fresh(), '--forward', cef()],
      );
      assert.equal(r.code, 0, r.stderr);
      const inv = JSON.parse(r.stdout) as InventoryJson;
      const alerts = Number(/reported health, (\d+) alert\(s\); heap limit/.exec(r.stderr)?.[1]);
      const lines = await received(from, inv.devices.length + alerts);
      return { inv, alerts, cef: lines.map((l) => parseCef(SYSLOG.exec(l)![7]!)) };
    };
    const first = await read();
    const { inv } = first;
    assert.deepEqual(
      inv.devices.map((d) => d.id).sort(),
      [...(await deviceIds(C)), ...(await deviceIds(B))].sort(),
    );
    assert.equal(first.alerts, sensorEvents.filter((e) => e.kind === 'alert').length);
    assert.equal(first.cef.length, inv.devices.length + first.alerts);
    const discovered = first.cef.filter((c) => c.ext.get('act') === 'discovered');
    assert.equal(discovered.length, inv.devices.length);
    for (const c of discovered) {
      const d = inv.devices.find((x) => x.id === c.ext.get('cs6'))!;
      assert.ok(d !== undefined, c.ext.get('cs6'));
      // Each device names its own site (flexString2) and the sensor that saw it (dvchost).
      assert.equal(c.ext.get('flexString2'), d.site);
      assert.deepEqual(d.sensors, [d.site === 'fa' ? 's1' : 's2']);
      assert.equal(c.ext.get('dvchost'), d.sensors![0]);
    }
    assert.deepEqual([...new Set(discovered.map((c) => c.ext.get('flexString2')))].sort(), ['fa', 'fb']);
    // An alert read from the stream is the alert the sensor forwarded: the same stable id.
    assert.deepEqual(
      first.cef
        .filter((c) => c.ext.get('act') === 'alert')
        .map((c) => c.ext.get('externalId'))
        .sort(),
      sensorEvents
        .filter((e) => e.kind === 'alert')
        .map((e) => e.id)
        .sort(),
    );
    // The streams read again (a replay for the SIEM): the same events, the same ids.
    const second = await read();
    assert.deepEqual(
      second.cef.map((c) => c.ext.get('externalId')).sort(),
      first.cef.map((c) => c.ext.get('externalId')).sort(),
    );
  });

  test('--config: forward (a list) and not-seen in the YAML file, as on the command line', async () => {
    const from = rs.lines().length;
    const conf = join(tmp, 'sensor.yaml');
    writeFileSync(
      conf,
      [
        'site: fc',
        'sensor: s3',
        `nats: ${nats.url}`,
        'user: sensor',
        `password-file: ${pw}`,
        `data-dir: ${fresh()}`,
        'forward:',
        `  - ${json()}&kinds=discovered`,
        'not-seen: 1s',
        '',
      ].join('\n'),
    );
    const r = await glasspane('sensor', '--config', conf, '--read', C);
    assert.equal(r.code, 0, r.stderr);
    const ids = await deviceIds(C);
    const got = (await received(from, ids.length)).map(
      (l) => JSON.parse(SYSLOG.exec(l)![7]!) as ForwardEvent,
    );
    assert.deepEqual(got.map((e) => e.device!.id).sort(), ids);
    assert.ok(got.every((e) => e.kind === 'discovered' && e.device!.site === 'fc'));
  });

  test('a bad --forward on sensor or inventory is one line and exit 2, before anything connects', async () => {
    const s = await glasspane(
      ...['sensor', '--site', 'fa', ...auth(), '--data-dir', fresh(), '--read', C],
      ...['--forward', `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=xml`],
    );
    assert.equal(s.code, 2);
    assert.equal(
      s.stderr,
      `glasspane: --forward 'syslog+tcp://127.0.0.1:${rs.tcpPort}?format=xml': format 'xml' is not one of cef, leef, json\n`,
    );
    const i = await glasspane('inventory', ...auth(), '--forward', json(), '--snapshot-every', '1h');
    assert.equal(i.code, 2);
    assert.equal(i.stderr.trim().split('\n').length, 1, i.stderr);
    // inventory reads the streams once: it has no period to snapshot on.
    assert.match(i.stderr, /unknown option '--snapshot-every'/);
    const ns = await glasspane('inventory', ...auth(), '--not-seen', '30m');
    assert.equal(ns.code, 2);
    assert.equal(ns.stderr, 'glasspane: --not-seen adds events to what --forward sends: add --forward URI\n');
  });
});

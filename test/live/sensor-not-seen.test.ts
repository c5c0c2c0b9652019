// The wall-clock path of `not-seen`: a live `glasspane sensor --iface` (capture helper inside a
// network namespace, tcpreplay into its veth pair) forwarding to a real rsyslog with a 3 s
// threshold. Each device that goes silent is reported once, while the sensor still captures (not
// at its end), at the moment it became overdue; heard again, it is reported once more after its
// next silence, with another id.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ForwardEvent } from '../../shared/forward/events';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import { PCAPS } from '../helpers/corpus';
import { natsUnavailable, TestNats } from '../helpers/nats-server';
import { RSYSLOG_SKIP, startRsyslog, type Rsyslog } from '../forward/rsyslog';
import { createLab, labUnavailable, waitFor, type Lab } from './lab';
import { nativeHelperPath, repo, skipFor } from './helpers';

const cli = join(repo, 'src-main', 'cli', 'glasspane.ts');
/** 2 EtherNet/IP devices, 11 frames over 5.5 s of capture time (replayed at full speed here). */
const CAPTURE = join(PCAPS, 'enip-listidentity__iti-ics__enip_test.pcap');
const SYSLOG = /^<(\d+)>1 (\S+) (\S+) glasspane (\d+) (\S+) (\[origin [^\]]*\]) (.*)$/s;
const THRESHOLD_S = 3;

const skip =
  labUnavailable() ??
  natsUnavailable() ??
  (RSYSLOG_SKIP !== false ? RSYSLOG_SKIP : null) ??
  (spawnSync('tcpreplay', ['--version']).error !== undefined ? 'needs tcpreplay' : null) ??
  (!existsSync(CAPTURE) ? 'the shared capture corpus is not here' : null);

describe('live not-seen on the wall clock', { skip: skip ?? skipFor('native', null) }, () => {
  let lab: Lab;
  let nats: TestNats;
  let rs: Rsyslog;
  let tmp: string;

  before(async () => {
    lab = createLab('ns');
    nats = await new TestNats([{ user: 'sensor', password: 'ns-secret' }]).start();
    rs = await startRsyslog();
    tmp = mkdtempSync(join(tmpdir(), 'gp-live-notseen-'));
  });

  after(async () => {
    lab?.cleanup();
    await rs?.stop();
    await nats?.cleanup();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  const events = (): ForwardEvent[] => rs.lines().map((l) => JSON.parse(SYSLOG.exec(l)![7]!) as ForwardEvent);
  const notSeen = () => events().filter((e) => e.kind === 'not-seen');

  function replay(): void {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', lab.nsB, 'tcpreplay', '-q', '-i', lab.ifB, '--topspeed', CAPTURE],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
  }

  test('a device silent for the threshold is reported once per silence, while the capture runs', async () => {
    const a = createAnalyzer();
    await analyzeFile(a, CAPTURE);
    const ids = a
      .snapshot()
      .devices.map((d) => d.id)
      .sort();
    assert.equal(ids.length, 2);

    const wrapper = join(tmp, 'helper.sh');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.nsA} ${nativeHelperPath()} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const args = [
      ...['sensor', '--site', 'live', '--sensor', 'ns1', '--iface', lab.ifA],
      // The namespaces' own neighbour discovery is not the capture's.
      ...['--filter', `not ether host ${lab.macA} and not ether host ${lab.macB}`],
      ...['--nats', nats.url, '--user', 'sensor', '--password-file', nats.passwordFile('sensor')],
      ...['--data-dir', tmp, '--duration', '60s'],
      ...['--forward', `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=json`, '--not-seen', `${THRESHOLD_S}s`],
    ];
    const p = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: repo,
      env: { ...process.env, GLASSPANE_CAPTURE_HELPER: wrapper },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
    try {
      assert.ok(await waitFor(() => stderr.includes('capturing on'), 60_000), `never started: ${stderr}`);

      // First sighting, then silence: one not-seen per device while the sensor still captures.
      replay();
      const heard = Date.now();
      assert.ok(await waitFor(() => notSeen().length >= 2, 30_000), JSON.stringify(events()));
      // Reported on the wall clock: not before the threshold had passed since the devices were heard.
      assert.ok(Date.now() - heard >= THRESHOLD_S * 1000 - 500, `${Date.now() - heard} ms`);
      const first = notSeen();
      assert.deepEqual(first.map((e) => e.device!.id).sort(), ids);
      for (const e of first) {
        assert.equal(e.notSeen!.afterSeconds, THRESHOLD_S);
        assert.equal(e.time, new Date(Date.parse(e.device!.lastSeen) + THRESHOLD_S * 1000).toISOString());
        // Live frames carry the time they were heard: the silence is measured on the wall clock.
        assert.ok(Math.abs(Date.parse(e.device!.lastSeen) - heard) < 30_000, e.device!.lastSeen);
      }
      // Still silent, several thresholds on: nothing more.
      await new Promise((r) => setTimeout(r, 3 * THRESHOLD_S * 1000));
      assert.equal(notSeen().length, 2, JSON.stringify(notSeen()));

      // Heard again, silent again: one more each, with new ids.
      replay();
      assert.ok(await waitFor(() => notSeen().length >= 4, 30_000), JSON.stringify(notSeen()));
      const second = notSeen().slice(2);
      assert.deepEqual(second.map((e) => e.device!.id).sort(), ids);
      for (const e of second) assert.ok(!first.some((f) => f.id === e.id));
      for (const e of second)
        assert.ok(
          Date.parse(e.device!.lastSeen) >
            Date.parse(first.find((f) => f.device!.id === e.device!.id)!.device!.lastSeen),
        );
      assert.equal(p.exitCode, null, 'reported while the sensor still runs, not at its end');
    } finally {
      p.kill('SIGTERM');
      assert.equal(await exit, 0, stderr);
    }
    // The stop adds no silence already reported.
    assert.equal(notSeen().length, 4, JSON.stringify(notSeen()));
    assert.equal(new Set(events().map((e) => e.id)).size, events().length, 'no event twice');
  });
});

// Three `glasspane sensor --iface` sensors, each capturing in its own network namespace (through the
// native capture helper, as the app does) while tcpreplay replays a corpus capture into its veth
// pair, publishing to one real nats-server. The broker is restarted mid-run and one sensor is
// killed with SIGKILL and started again; a console started last reads the union of the captures.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import type { InventoryJson } from '../../shared/model/inventory';
import { PCAPS } from '../helpers/corpus';
import { natsUnavailable, TestNats } from '../helpers/nats-server';
import { createLab, labUnavailable, waitFor, type Lab } from './lab';
import { nativeHelperPath, repo, skipFor } from './helpers';

const cli = join(repo, 'src-main', 'cli', 'glasspane.ts');
/** Captures whose frames fit a veth's MTU: 42 BACnet devices, 4 from DHCP, 2 EtherNet/IP. */
const CAPTURES = [
  'bacnet__icsnpp-bacnet__bacnet_example.pcap',
  'dhcp__tcpdump__dhcp-mud.pcap',
  'enip-listidentity__iti-ics__enip_test.pcap',
].map((f) => join(PCAPS, f));

const skip =
  labUnavailable() ??
  natsUnavailable() ??
  (spawnSync('tcpreplay', ['--version']).error !== undefined ? 'needs tcpreplay' : null) ??
  (!CAPTURES.every((f) => existsSync(f)) ? 'the shared capture corpus is not here' : null);

interface Sensor {
  stderr: string;
  pid: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function ids(file: string): Promise<string[]> {
  const a = createAnalyzer();
  await analyzeFile(a, file);
  return a.snapshot().devices.map((d) => d.id);
}

describe(
  'three live sensors in network namespaces, one console',
  { skip: skip ?? skipFor('native', null) },
  () => {
    const labs: Lab[] = [];
    let nats: TestNats;
    let tmp: string;
    let pw: string;

    before(async () => {
      for (let i = 0; i < 3; i++) labs.push(createLab(`sn${i}`));
      nats = await new TestNats([{ user: 'sensor', password: 'live-secret' }]).start();
      pw = nats.passwordFile('sensor');
      tmp = mkdtempSync(join(tmpdir(), 'gp-live-sensor-'));
    });

    after(async () => {
      for (const l of labs) l.cleanup();
      await nats?.cleanup();
      if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    });

    /** A sensor on the host whose capture helper runs inside lab i's namespace A. */
    function sensor(i: number): Sensor {
      const lab = labs[i]!;
      const wrapper = join(tmp, `helper-${i}.sh`);
      writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.nsA} ${nativeHelperPath()} "$@"\n`);
      chmodSync(wrapper, 0o755);
      const args = [
        ...['sensor', '--site', 'live', '--sensor', `s${i}`, '--iface', lab.ifA],
        // The namespaces' own neighbour discovery is not the capture's.
        ...['--filter', `not ether host ${lab.macA} and not ether host ${lab.macB}`],
        ...[
          '--nats',
          nats.url,
          '--user',
          'sensor',
          '--password-file',
          pw,
          '--data-dir',
          tmp,
          '--duration',
          '40s',
        ],
      ];
      const p = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
        cwd: repo,
        env: { ...process.env, GLASSPANE_CAPTURE_HELPER: wrapper },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const s: Sensor = {
        stderr: '',
        pid: p.pid!,
        exit: new Promise((r) => p.on('close', (code, signal) => r({ code, signal }))),
      };
      p.stderr.on('data', (d: Buffer) => (s.stderr += d.toString()));
      return s;
    }

    function replay(i: number): void {
      const lab = labs[i]!;
      const r = spawnSync(
        'ip',
        ['netns', 'exec', lab.nsB, 'tcpreplay', '-q', '-i', lab.ifB, '--pps=2000', CAPTURES[i]!],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, r.stderr);
    }

    test('broker restarted and a sensor killed mid-run: the late console reads the union of the captures', async () => {
      const sensors = [0, 1, 2].map(sensor);
      for (const s of sensors)
        assert.ok(
          await waitFor(() => s.stderr.includes('capturing on'), 60_000),
          `never started: ${s.stderr}`,
        );
      replay(0);
      // The broker goes away and comes back while the sensors capture.
      await nats.stop();
      replay(1);
      await new Promise((r) => setTimeout(r, 2000));
      await nats.start();
      // Sensor 2 hears its capture, is killed, starts again and hears it again.
      replay(2);
      await new Promise((r) => setTimeout(r, 3000));
      process.kill(sensors[2]!.pid, 'SIGKILL');
      assert.equal((await sensors[2]!.exit).signal, 'SIGKILL');
      const again = sensor(2);
      assert.ok(await waitFor(() => again.stderr.includes('capturing on'), 60_000), again.stderr);
      replay(2);
      for (const s of [sensors[0]!, sensors[1]!, again]) {
        process.kill(s.pid, 'SIGTERM');
        const { code } = await s.exit;
        assert.equal(code, 0, s.stderr);
        assert.match(s.stderr, /devices from \d+ frames; queued \d+ delta\(s\)/);
      }
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          cli,
          'inventory',
          '--nats',
          nats.url,
          '--user',
          'sensor',
          '--password-file',
          pw,
          '--format',
          'json',
        ],
        { cwd: repo, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const inv = JSON.parse(r.stdout) as InventoryJson;
      const want = new Set((await Promise.all(CAPTURES.map(ids))).flat());
      assert.deepEqual(new Set(inv.devices.map((d) => d.id)), want);
      assert.ok(inv.devices.every((d) => d.site === 'live'));
      // Each capture's devices were heard by their own sensor.
      for (const [i, f] of CAPTURES.entries())
        for (const id of await ids(f))
          assert.ok(inv.devices.find((d) => d.id === id)?.sensors?.includes(`s${i}`), `${id} not from s${i}`);
      assert.match(r.stderr, /3 sensor\(s\) reported health/);
    });
  },
);

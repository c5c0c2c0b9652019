// `glasspane analyze --iface`, the command line run inside network namespace A while tcpreplay
// replays a real corpus capture into the veth peer in namespace B: the capture's devices come out,
// the live counters are plausible, the run ends at its duration, its packet count or on SIGTERM, a
// --db run killed with SIGKILL keeps all but the last moment, and bad input gets one line and exit 2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import { Store } from '../../src-main/store/store';
import type { InventoryJson } from '../../shared/model/inventory';
import { PCAPS } from '../helpers/corpus';
import { createLab, labUnavailable, waitFor, type Lab } from './lab';
import { nativeHelperPath, repo, skipFor, type HelperKind } from './helpers';

const cli = join(repo, 'src-main', 'cli', 'glasspane.ts');
/** 3257 BACnet/IP frames from 42 devices, none longer than 75 bytes (they fit the veth's MTU). */
const CAPTURE = join(PCAPS, 'bacnet__icsnpp-bacnet__bacnet_example.pcap');
const FRAMES = 3257;
/** Replayed at 2000 frames/s (1.6 s): slow enough that a busy 2-core machine drops nothing. */
const PPS = 2000;

const lab0 = labUnavailable();
const tools =
  lab0 ??
  (spawnSync('tcpreplay', ['--version']).error !== undefined ? 'needs tcpreplay' : null) ??
  (!existsSync(CAPTURE) ? 'the shared capture corpus is not here' : null);

interface Run {
  stdout: string;
  stderr: string;
  pid: number;
  /** Resolves with the exit code (or 128 + signal number) once the process is gone. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `glasspane analyze ...` from the sources, inside namespace A, with the given capture helper. */
function analyze(lab: Lab, helper: string, args: string[], wrapMore: string[] = []): Run {
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.nsA, ...wrapMore, process.execPath, '--import', 'tsx', cli, 'analyze', ...args],
    {
      cwd: repo,
      env: { ...process.env, GLASSPANE_CAPTURE_HELPER: helper },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const run: Run = {
    stdout: '',
    stderr: '',
    pid: child.pid!,
    exit: new Promise((r) => child.on('close', (code, signal) => r({ code, signal }))),
  };
  child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return run;
}

/** Waits for the line the command prints once every interface is open. */
async function capturing(r: Run): Promise<void> {
  assert.ok(await waitFor(() => r.stderr.includes('capturing on'), 30_000), `never started: ${r.stderr}`);
}

/** Replays the capture out of B's end of the veth at `pps` frames a second. */
function replay(lab: Lab, pps: number): void {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', lab.nsB, 'tcpreplay', '-q', '-i', lab.ifB, `--pps=${pps}`, CAPTURE],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
}

/** The device ids the same analysis finds in the file itself. */
async function fileDevices(): Promise<string[]> {
  const a = createAnalyzer();
  await analyzeFile(a, CAPTURE);
  return a.snapshot().devices.map((d) => d.id);
}

function helperPath(kind: HelperKind): string {
  return kind === 'node' ? 'node' : nativeHelperPath();
}

for (const kind of ['native', 'node'] as const)
  describe(`analyze --iface (${kind} helper)`, { skip: tools ?? skipFor(kind, null) }, () => {
    let lab: Lab;
    let expected: string[];
    before(async () => {
      lab = createLab('cli');
      expected = await fileDevices();
      assert.equal(expected.length, 42);
    });
    after(() => lab?.cleanup());

    test('--duration: the replayed capture devices appear in the JSON with plausible live counters', async () => {
      const r = analyze(lab, helperPath(kind), ['--iface', lab.ifA, '--duration', '6s', '--format', 'json']);
      await capturing(r);
      replay(lab, PPS);
      const { code } = await r.exit;
      assert.equal(code, 0, r.stderr);
      const inv = JSON.parse(r.stdout) as InventoryJson;
      const ids = new Set(inv.devices.map((d) => d.id));
      for (const id of expected) assert.ok(ids.has(id), `${id} missing from the live inventory`);
      const c = inv.stats.capture!;
      assert.equal(c.stoppedBy, 'duration');
      assert.ok(c.durationMs >= 6000 && c.durationMs < 20_000, `duration ${c.durationMs}`);
      // The namespace's own neighbour discovery may add a few frames; nothing may be missing.
      assert.ok(c.received >= FRAMES && c.received < FRAMES + 200, `received ${c.received}`);
      assert.equal(c.analysed, c.received);
      assert.equal(inv.stats.packets, c.analysed);
      assert.equal(c.kernelDrops + c.queueDrops, 0);
      assert.deepEqual(
        c.interfaces.map((i) => [i.name, i.received]),
        [[lab.ifA, c.received]],
      );
      // 3257 frames paced at 2000/s span two or three 1-second windows (a fourth if tcpreplay stalls).
      assert.ok(c.peakRate >= FRAMES / 4 && c.peakRate <= c.received, `peak ${c.peakRate}`);
      assert.match(r.stderr, /captured \d+ packets in \d+\.\d s .*stopped by duration/);
      // Standard error is no terminal here and --progress was not given: no progress lines.
      assert.doesNotMatch(r.stderr, /packets\/s, \d+ dropped, \d+ devices/);
    });
  });

describe(
  'analyze --iface (native helper): limits, signals, --db, mistakes',
  { skip: tools ?? skipFor('native', null) },
  () => {
    let lab: Lab;
    let expected: string[];
    let tmp: string;
    before(async () => {
      lab = createLab('cli');
      expected = await fileDevices();
      tmp = mkdtempSync(join(tmpdir(), 'gp-iface-'));
    });
    after(() => {
      lab?.cleanup();
      rmSync(tmp, { recursive: true, force: true });
    });

    test('--packets stops on its own after exactly that many frames', async () => {
      const r = analyze(lab, nativeHelperPath(), [
        '--iface',
        lab.ifA,
        '--packets',
        '1000',
        '--format',
        'json',
      ]);
      await capturing(r);
      replay(lab, PPS);
      const { code } = await r.exit;
      assert.equal(code, 0, r.stderr);
      const inv = JSON.parse(r.stdout) as InventoryJson;
      assert.equal(inv.stats.packets, 1000);
      assert.equal(inv.stats.capture!.analysed, 1000);
      assert.equal(inv.stats.capture!.stoppedBy, 'packets');
      assert.ok(inv.stats.capture!.received >= 1000);
      assert.ok(inv.devices.length > 10, `${inv.devices.length} devices`);
    });

    test('SIGTERM mid-run stops the capture, prints the inventory and exits 0', async () => {
      const r = analyze(lab, nativeHelperPath(), ['--iface', lab.ifA, '--format', 'json', '--progress']);
      await capturing(r);
      replay(lab, PPS);
      // Long enough for a progress line (once a second) after the replay.
      await new Promise((res) => setTimeout(res, 1500));
      process.kill(r.pid, 'SIGTERM');
      const { code } = await r.exit;
      assert.equal(code, 0, r.stderr);
      const inv = JSON.parse(r.stdout) as InventoryJson;
      const ids = new Set(inv.devices.map((d) => d.id));
      for (const id of expected) assert.ok(ids.has(id), `${id} missing after SIGTERM`);
      assert.equal(inv.stats.capture!.stoppedBy, 'signal');
      assert.match(r.stderr, /SIGTERM: stopping the capture/);
      const line = /^(\d+) packets, \d+ packets\/s, \d+ dropped, (\d+) devices$/;
      const progress = r.stderr.split('\n').filter((l) => line.test(l));
      assert.ok(progress.length >= 1, r.stderr);
      // The last progress line counts what was replayed, and at least the capture's devices.
      const [, n, devices] = line.exec(progress.at(-1)!)!;
      assert.ok(Number(n) >= FRAMES && Number(devices) >= expected.length, progress.at(-1));
    });

    test('--db records as it goes: after kill -9 the store holds the devices, all but the last second', async () => {
      const db = join(tmp, 'live.db');
      const r = analyze(lab, nativeHelperPath(), ['--iface', lab.ifA, '--format', 'json', '--db', db]);
      await capturing(r);
      // 1000 frames a second for 3.3 s: traffic is still flowing when the process is killed.
      const sender = spawn(
        'ip',
        ['netns', 'exec', lab.nsB, 'tcpreplay', '-q', '-i', lab.ifB, '--pps=1000', CAPTURE],
        {
          stdio: 'ignore',
        },
      );
      await new Promise((res) => setTimeout(res, 2500));
      process.kill(r.pid, 'SIGKILL');
      const killedAt = Date.now();
      const { signal } = await r.exit;
      assert.equal(signal, 'SIGKILL');
      await new Promise((res) => sender.on('close', res));
      assert.equal(r.stdout, '');
      const store = new Store(db);
      try {
        const devices = store.devices();
        assert.ok(devices.length > 10, `${devices.length} devices stored`);
        // The capture's devices, and the two veth ends (the kernel's own neighbour discovery).
        const known = new Set([...expected, `mac:${lab.macA}`, `mac:${lab.macB}`]);
        for (const d of devices) assert.ok(known.has(d.id), `unexpected ${d.id}`);
        // The busiest device talks every few ms: its last sighting in the store is how much was lost.
        const last = Math.max(...devices.map((d) => Date.parse(d.lastSeen)));
        const lostMs = killedAt - last;
        process.stdout.write(`# --db kill -9: the store's newest sighting is ${lostMs} ms before the kill\n`);
        assert.ok(lostMs >= 0 && lostMs < 1200, `lost ${lostMs} ms`);
      } finally {
        store.close();
      }
    });

    test('an interface that goes away mid-run: the inventory so far is printed, the failure said, exit 1', async () => {
      // Its own pair of namespaces: deleting the interface would break the others' lab.
      const lost = createLab('lost');
      try {
        const r = analyze(lost, nativeHelperPath(), ['--iface', lost.ifA, '--format', 'json']);
        await capturing(r);
        replay(lost, PPS);
        execFileSync('ip', ['-n', lost.nsA, 'link', 'del', lost.ifA]);
        const { code } = await r.exit;
        assert.equal(code, 1, r.stderr);
        assert.match(
          r.stderr,
          /the capture stopped early: Capture stopped: the interface \(.*\) failed or went away/,
        );
        const inv = JSON.parse(r.stdout) as InventoryJson;
        const ids = new Set(inv.devices.map((d) => d.id));
        for (const id of expected) assert.ok(ids.has(id), `${id} lost with the interface`);
        assert.equal(inv.stats.capture!.stoppedBy, 'error');
      } finally {
        lost.cleanup();
      }
    });

    test('mistakes get one line and exit 2: files with --iface, two limits, an unknown interface, no rights', async () => {
      const one = async (
        args: string[],
        pattern: RegExp,
        wrapMore: string[] = [],
        helper = nativeHelperPath(),
      ) => {
        const r = analyze(lab, helper, args, wrapMore);
        const { code } = await r.exit;
        assert.equal(code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, pattern);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
        return r.stderr;
      };
      // Independent runs: side by side, as each mostly waits for its own start-up.
      const [, , , , unknown] = await Promise.all([
        one(['--iface', lab.ifA, CAPTURE], /--iface captures live and '.*' is a capture file/),
        one(
          ['--iface', lab.ifA, '--duration', '5s', '--packets', '10'],
          /--duration and --packets exclude each other/,
        ),
        one(['--iface', lab.ifA, '--packets', 'lots'], /--packets 'lots' is not a whole number/),
        one(['--filter', 'arp', CAPTURE], /--filter applies to live capture: add --iface IF/),
        one(['--iface', 'nope0'], /There is no interface named 'nope0'\. Interfaces that exist: /),
        one(
          ['--iface', lab.ifA, '--filter', 'port nonsense'],
          /The capture filter 'port nonsense' does not compile/,
        ),
      ]);
      assert.ok(unknown.includes(lab.ifA) && unknown.includes('lo'), unknown);
      // A plain user and a helper without capture rights: the app's message, with the setcap line.
      const dir = mkdtempSync(join(tmpdir(), 'gp-iface-rights-'));
      try {
        chmodSync(dir, 0o755);
        const copy = join(dir, 'glasspane-capture');
        copyFileSync(nativeHelperPath(), copy);
        chmodSync(copy, 0o755);
        const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'];
        await one(
          ['--iface', lab.ifA, '--duration', '1s'],
          new RegExp(`No permission to capture on ${lab.ifA}\\. .*sudo setcap cap_net_raw=eip ${copy}`),
          asNobody,
          copy,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

/**
 * The built CLI (bin/glasspane.cjs) on hostile floods written by our own pcap writer: random
 * source MACs, and random IPv6 sources behind one router MAC. It finishes, stays within a bounded
 * memory (peak RSS from /usr/bin/time), counts what it aggregated and says each flood once. The
 * always-run floods are 200k frames with --max-devices 10000 (the 1M-frame runs at the default
 * limits are measured by hand: see the report).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FLOOD_ROUTER_MAC, FLOOD_SERVER_MAC, writeIpv6Flood, writeMacFlood } from '../helpers/flood-pcap';
import type { InventoryJson } from '../../shared/model/inventory';

const root = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'gp-flood-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const FRAMES = 200_000;
const LIMIT = 10_000;
const MAX_RSS_MB = 600;

function built(): void {
  if (existsSync(join(root, 'dist', 'cli.cjs'))) return;
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(b.status, 0, b.stderr);
}

/** The installed command under /usr/bin/time -v: exit code, output, and peak RSS in MB. */
function glasspane(...args: string[]) {
  built();
  const r = spawnSync(
    '/usr/bin/time',
    ['-v', process.execPath, join(root, 'bin', 'glasspane.cjs'), ...args],
    {
      cwd: tmp,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  );
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  assert.ok(m, `/usr/bin/time reported no peak RSS:\n${r.stderr}`);
  // time -v appends its report (after "Command exited with non-zero status N" when it failed).
  const stderr = r.stderr
    .slice(0, r.stderr.indexOf('\tCommand being timed'))
    .replace(/Command exited with non-zero status \d+\n$/, '');
  return { status: r.status, stdout: r.stdout, stderr, rssMb: Number(m[1]) / 1024 };
}

test('1M-style random source MACs: exit 0, bounded memory, one overflow device, one flood', () => {
  const pcap = writeMacFlood(join(tmp, 'mac.pcap'), FRAMES);
  const t0 = Date.now();
  const r = glasspane('analyze', pcap, '--format', 'json', '--no-progress', '--max-devices', String(LIMIT));
  assert.equal(r.status, 0, r.stderr);
  const inv = JSON.parse(r.stdout) as InventoryJson;
  process.stdout.write(
    `# MAC flood ${FRAMES} frames: ${(Date.now() - t0) / 1000} s, peak RSS ${r.rssMb.toFixed(0)} MB\n`,
  );
  assert.ok(r.rssMb < MAX_RSS_MB, `peak RSS ${r.rssMb.toFixed(0)} MB`);
  assert.equal(inv.stats.packets, FRAMES);
  assert.equal(inv.devices.length, LIMIT + 1, 'the devices kept and one overflow device');
  const over = inv.devices.find((d) => d.id === 'overflow:interface 0')!;
  assert.equal(over.packetsSent, FRAMES - (LIMIT - 1));
  assert.equal(inv.devices.find((d) => d.mac === FLOOD_SERVER_MAC)!.packetsReceived, FRAMES);
  assert.equal(inv.stats.limits!.devicesAggregated, FRAMES - (LIMIT - 1));
  assert.deepEqual(inv.stats.limits!.floods, ['interface 0']);
  const said = r.stderr.split('\n').filter((l) => l.includes('inventory flood'));
  assert.deepEqual(said, [
    `glasspane: warning: inventory flood on interface 0: MACs past the limit of ${LIMIT} are aggregated (see stats.limits; --max-devices raises it)`,
  ]);
});

test('random IPv6 sources behind one router MAC: exit 0, bounded memory, per /64 then per router, one flood', () => {
  const pcap = writeIpv6Flood(join(tmp, 'v6.pcap'), FRAMES);
  const t0 = Date.now();
  const r = glasspane('analyze', pcap, '--format', 'json', '--no-progress', '--max-devices', String(LIMIT));
  assert.equal(r.status, 0, r.stderr);
  const inv = JSON.parse(r.stdout) as InventoryJson;
  process.stdout.write(
    `# IPv6 flood ${FRAMES} frames: ${(Date.now() - t0) / 1000} s, peak RSS ${r.rssMb.toFixed(0)} MB\n`,
  );
  assert.ok(r.rssMb < MAX_RSS_MB, `peak RSS ${r.rssMb.toFixed(0)} MB`);
  const l = inv.stats.limits!;
  assert.equal(l.addressesAggregated, FRAMES - LIMIT);
  // --max-devices 10000 allows 625 /64 aggregates (one per 16 devices), then the router's bucket.
  assert.equal(l.aggregates, 625 + 1);
  assert.deepEqual(l.floods, [`router mac:${FLOOD_ROUTER_MAC}`]);
  const behind = inv.devices.find((d) => d.id === `routed:mac:${FLOOD_ROUTER_MAC}`)!;
  const prefixes = inv.devices.filter((d) => d.id.endsWith('::/64'));
  assert.equal(prefixes.length, 625);
  assert.equal(behind.packetsSent + prefixes.reduce((n, d) => n + d.packetsSent, 0), FRAMES - LIMIT);
  assert.equal(inv.devices.length, 2 + LIMIT + 626, 'router, server, the routed kept, the aggregates');
  assert.equal(r.stderr.split('\n').filter((x) => x.includes('inventory flood')).length, 1);
});

test('with --db the flood is one stored alert of kind inventory-flood', () => {
  const pcap = writeMacFlood(join(tmp, 'mac-db.pcap'), 20_000, 5);
  const db = join(tmp, 'flood.db');
  const r = glasspane(
    'analyze',
    pcap,
    '--format',
    'csv',
    '--no-progress',
    '--max-devices',
    '500',
    '--db',
    db,
  );
  assert.equal(r.status, 0, r.stderr);
  const l = glasspane('alerts', '--db', db, '--format', 'json');
  assert.equal(l.status, 0, l.stderr);
  const alerts = JSON.parse(l.stdout) as { kind: string; message: string; deviceId: string }[];
  const flood = alerts.filter((a) => a.kind === 'inventory-flood');
  assert.equal(flood.length, 1, JSON.stringify(alerts).slice(0, 500));
  assert.equal(flood[0]!.deviceId, 'overflow:interface 0');
  assert.match(flood[0]!.message, /^inventory flood on interface 0: new MACs past the limit of 500 devices/);
});

test('a limit that is not a whole number is refused in one line, exit 2', () => {
  for (const bad of ['abc', '0', '-5', '1e6']) {
    const r = glasspane('analyze', join(tmp, 'none.pcap'), '--max-devices', bad);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      `glasspane: --max-devices '${bad}' is not a whole number of 1 or more: use e.g. --max-devices 100000\n`,
    );
  }
});

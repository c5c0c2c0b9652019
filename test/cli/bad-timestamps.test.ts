import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PcapngWriter } from '../helpers/pcapng-writer';
import { dhcpRequestFrame } from '../helpers/dhcp-frames';
import { mac, type Bytes } from '../helpers/packets';
import { sll } from '../decode/builders';
import type { InventoryJson } from '../../shared/model/inventory';

/**
 * Captures whose pcapng timestamps no Date can hold (a Linux-cooked interface at the year 586524,
 * absurd if_tsresol and if_tsoffset): every output of the CLI finishes, counts them, and shows only
 * well-formed times. The first capture is the shape of the public one that made `analyze --evidence`
 * die with "internal error: RangeError: Invalid time value".
 */
const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');
const tmp = mkdtempSync(join(tmpdir(), 'gp-badts-'));

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, HOME: tmp, XDG_DATA_HOME: tmp },
  });
}

const MAX = 0xffffffffffffffffn;
const US = 1_000_000n;

/** The DHCP REQUEST of `m`, as Linux cooked capture (SLL) carries it: no Ethernet header. */
function cooked(m: string, host: string, xid: number): Bytes {
  return sll(0x0800, dhcpRequestFrame({ mac: m, ip: '10.0.0.9' }, host, xid).subarray(14), {
    addr: mac(m),
    pkttype: 4,
  });
}

// Interface 0 (Ethernet) keeps good time; interface 1 (Linux cooked) starts in the year 586524.
const year586524 = join(tmp, 'year586524.pcapng');
writeFileSync(
  year586524,
  new PcapngWriter()
    .section()
    .iface({ linkType: 1 })
    .iface({ linkType: 113 })
    .epb(
      0,
      1_700_000_000n * US,
      dhcpRequestFrame({ mac: '00:1b:1b:00:00:01', ip: '10.0.0.1' }, 'eth-host', 1),
    )
    // No good time on interface 1 yet: the source's last good time.
    .epb(1, MAX, cooked('00:1b:1b:00:00:02', 'sll-host', 2))
    .epb(1, 1_700_000_005n * US, cooked('00:1b:1b:00:00:02', 'sll-host', 3))
    .epb(
      0,
      1_700_000_010n * US,
      dhcpRequestFrame({ mac: '00:1b:1b:00:00:01', ip: '10.0.0.1' }, 'eth-host', 4),
    )
    // Interface 1's own last good time (…05), not interface 0's later one (…10).
    .epb(1, MAX - 15n, cooked('00:1b:1b:00:00:03', 'late-host', 5))
    .bytes(),
);

// Every kind of extreme, on interfaces of their own; `bad` is what a 1970..9999 clock makes of it.
const extremes: { tsresol?: number; tsoffset?: bigint; ticks: bigint; bad: boolean }[] = [
  { ticks: MAX, bad: true }, // microseconds: year 586524
  { tsresol: 9, ticks: MAX, bad: false }, // nanoseconds: 2554
  { tsresol: 0x80 | 63, tsoffset: 1_700_000_000n, ticks: MAX, bad: false }, // 2^-63 s: 2 s past the offset
  { tsresol: 19, ticks: MAX, bad: false }, // 10^-19 s: 1.8 s
  { tsresol: 0xff, tsoffset: -(1n << 63n), ticks: MAX, bad: true }, // 2^-127 s, most negative offset
  { tsresol: 0x7f, tsoffset: (1n << 63n) - 1n, ticks: 1n, bad: true }, // 10^-127 s, largest offset
  { tsoffset: -1_000_000_000n, ticks: 1_700_000_000n * US, bad: false }, // negative offset: 1992
  { tsoffset: -1_000_000_000n, ticks: 1n, bad: true }, // negative offset: before 1970
  { tsoffset: 1n << 40n, ticks: 0n, bad: true }, // huge offset: year 36812
  { tsresol: 0x80, ticks: 1n << 63n, bad: true }, // 2^0 = one-second ticks: far past 9999
];
const extreme = join(tmp, 'extremes.pcapng');
{
  const w = new PcapngWriter().section(false);
  extremes.forEach((e, i) =>
    w.iface({ linkType: i % 2 ? 113 : 1, tsresol: e.tsresol, tsoffset: e.tsoffset }),
  );
  extremes.forEach((e, i) => {
    const m = `00:1b:1b:00:01:${i.toString(16).padStart(2, '0')}`;
    w.epb(
      i,
      e.ticks,
      i % 2 ? cooked(m, `x${i}`, i) : dhcpRequestFrame({ mac: m, ip: '10.0.0.9' }, `x${i}`, i),
    );
  });
  writeFileSync(extreme, w.bytes());
}
const extremeBad = extremes.filter((e) => e.bad).length;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Every time-like string in a JSON value, with where it was. */
function times(v: unknown, path: string, out: [string, string][]): void {
  if (Array.isArray(v)) v.forEach((x, i) => times(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) times(x, `${path}.${k}`, out);
  else if (typeof v === 'string' && /(Seen|\.time|\.at)$/.test(path)) out.push([path, v]);
}

function wellFormed(inv: unknown): number {
  const found: [string, string][] = [];
  times(inv, '', found);
  for (const [p, s] of found) assert.match(s, ISO, p);
  return found.length;
}

function json(file: string): InventoryJson {
  const r = run('analyze', file, '--evidence', '--format', 'json', '--no-progress');
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  return JSON.parse(r.stdout) as InventoryJson;
}

test('analyze --evidence --format json: a Linux-cooked interface in the year 586524 is counted, its frames take the last good time', () => {
  const inv = json(year586524);
  assert.equal(inv.stats.packets, 5);
  assert.equal(inv.stats.badTimestamps, 2);
  assert.equal(inv.stats.firstSeen, '2023-11-14T22:13:20.000Z');
  assert.equal(inv.stats.lastSeen, '2023-11-14T22:13:30.000Z');
  const dev = (m: string) => inv.devices.find((d) => d.mac === m)!;
  assert.equal(dev('00:1b:1b:00:00:02').hostname, 'sll-host', 'the cooked frames were decoded');
  assert.equal(dev('00:1b:1b:00:00:02').firstSeen, '2023-11-14T22:13:20.000Z');
  assert.equal(dev('00:1b:1b:00:00:02').lastSeen, '2023-11-14T22:13:25.000Z');
  assert.equal(dev('00:1b:1b:00:00:03').firstSeen, '2023-11-14T22:13:25.000Z');
  assert.ok(dev('00:1b:1b:00:00:03').evidence!.length > 0);
  assert.ok(wellFormed(inv) > 20);
});

test('analyze --evidence --format json: extreme if_tsresol, if_tsoffset and 64-bit timestamps', () => {
  const inv = json(extreme);
  assert.equal(inv.stats.packets, extremes.length);
  assert.equal(inv.stats.badTimestamps, extremeBad);
  assert.equal(inv.devices.filter((d) => /^x\d+$/.test(d.hostname ?? '')).length, extremes.length);
  const dev = (i: number) => inv.devices.find((d) => d.hostname === `x${i}`)!;
  assert.equal(dev(1).firstSeen.slice(0, 4), '2554', 'nanoseconds: max uint64 is a real time');
  assert.equal(dev(2).firstSeen, '2023-11-14T22:13:22.000Z', '2^-63 s ticks plus an offset');
  assert.equal(dev(6).firstSeen, '1992-03-07T20:26:40.000Z', 'a negative offset');
  assert.ok(wellFormed(inv) > 20);
});

test('analyze --evidence --format csv and table finish on both captures, times well-formed', () => {
  for (const f of [year586524, extreme]) {
    const r = run('analyze', f, '--evidence', '--format', 'csv', '--no-progress');
    assert.equal(r.status, 0, r.stderr);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    assert.ok(rows.length >= 3);
    for (const row of rows) {
      assert.match(row.first_seen!, ISO);
      assert.match(row.last_seen!, ISO);
    }
    const t = run('analyze', f, '--evidence', '--no-progress');
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, / bad timestamps\n$/);
  }
});

test('report (HTML) and the store (--db) finish on these captures and keep the counter', () => {
  for (const f of [year586524, extreme]) {
    const html = join(tmp, 'r.html');
    const r = run('report', f, '--out', html);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(html, 'utf8'), /frames with bad timestamps/);
    const db = join(tmp, `${f.endsWith('extremes.pcapng') ? 'x' : 'y'}.db`);
    const a = run('analyze', f, '--db', db, '--evidence', '--format', 'json', '--no-progress');
    assert.equal(a.status, 0, a.stderr);
    const stored = JSON.parse(a.stdout) as InventoryJson;
    assert.ok(stored.devices.length >= 3);
    wellFormed(stored);
    const fromDb = run('report', '--db', db, '--out', join(tmp, 'db.html'));
    assert.equal(fromDb.status, 0, fromDb.stderr);
    // A --since reaching back before 1970 is every alert, not a crash.
    const al = run('alerts', '--db', db, '--since', '999999999999d');
    assert.equal(al.status, 0, al.stderr);
  }
});

/**
 * `glasspane analyze --threads N` from the command line (issue 19): the printed inventory (JSON with
 * evidence, CSV, table) is the same on 1, 2 and 4 threads; a bad --threads is one line and exit 2; a
 * frame a worker cannot take costs a counter; a worker that dies fails the run (exit 1, one line
 * saying which) and the inventory of what was collected is still printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { CORPUS_SKIP, PCAPS } from '../helpers/corpus';
import type { InventoryJson } from '../../shared/model/inventory';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, 'analyze', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...env },
  });
}

const stamp = (s: string) => s.replace(/"generatedAt": "[^"]*"/, '"generatedAt": ""');

// An IT capture and an OT capture of several flows and devices each.
const CAPTURES = [
  'smb__arkime__wireshark-smb-on-windows10.pcap',
  'multi-lan-s7-plant__iti-ics__wrapup.pcapng',
];

/** The output of `analyze FILE --format FORMAT` on each number of threads, the time it was written aside. */
function outputs(f: string, format: string, threads: string[]): string[] {
  const extra = format === 'json' ? ['--evidence'] : [];
  return threads.map((n) => {
    const r = run([join(PCAPS, f), '--format', format, ...extra, '--threads', n]);
    assert.equal(r.status, 0, r.stderr);
    return stamp(r.stdout);
  });
}

// Every corpus capture is compared in test/engine/threads.test.ts, in one process; here the command's
// own path (flags, workers from source, printing) on a few.
test(
  'the same JSON with evidence on 1, 2 and 4 threads, CSV and table on 1 and 2',
  { skip: CORPUS_SKIP },
  () => {
    for (const f of CAPTURES) {
      const [one, two, four] = outputs(f, 'json', ['1', '2', '4']);
      assert.ok((JSON.parse(one!) as InventoryJson).devices.length >= 3);
      assert.equal(two, one, `${f} on 2 threads`);
      assert.equal(four, one, `${f} on 4 threads`);
    }
    for (const format of ['csv', 'table']) {
      const [one, two] = outputs(CAPTURES[1]!, format, ['1', '2']);
      assert.ok(one!.split('\n').length > 3, one);
      assert.equal(two, one, format);
    }
  },
);

test('a bad --threads, or --threads with a one-analyzer mode, is one line and exit 2', () => {
  const capture = join(PCAPS, CAPTURES[1]!);
  for (const [args, message] of [
    [
      ['--threads', '0'],
      "glasspane: --threads '0' is not a whole number of 1 or more: use e.g. --threads 4\n",
    ],
    [
      ['--threads', 'two'],
      "glasspane: --threads 'two' is not a whole number of 1 or more: use e.g. --threads 4\n",
    ],
    [
      ['--threads', '2', '--db', join(tmpdir(), 'gp-threads-never.db')],
      'glasspane: --threads 2 reads capture files into the printed inventory; --db records from one analyzer: drop --threads\n',
    ],
  ] as const) {
    const r = run([capture, ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});

test('a frame a worker cannot take costs a counter, and the run goes on', { skip: CORPUS_SKIP }, () => {
  const capture = join(PCAPS, CAPTURES[1]!);
  const one = JSON.parse(run([capture, '--format', 'json', '--threads', '1']).stdout) as InventoryJson;
  const r = run([capture, '--format', 'json', '--threads', '2'], {
    GLASSPANE_TEST_WORKER_FAULT: 'throw:100',
  });
  assert.equal(r.status, 0, r.stderr);
  const two = JSON.parse(r.stdout) as InventoryJson;
  assert.equal(two.stats.dissectorErrors, one.stats.dissectorErrors + 1);
  // That frame was not counted; every other one was.
  assert.equal(two.stats.packets, one.stats.packets - 1);
  assert.equal(two.devices.length, one.devices.length);
});

test(
  'a worker that dies fails the run with one line; what was collected is printed',
  { skip: CORPUS_SKIP },
  () => {
    const capture = join(PCAPS, CAPTURES[1]!);
    const one = JSON.parse(run([capture, '--format', 'json', '--threads', '1']).stdout) as InventoryJson;
    const at = Math.floor(one.stats.packets / 2);
    const r = run([capture, '--format', 'json', '--threads', '2'], {
      GLASSPANE_TEST_WORKER_FAULT: `die:${at}`,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^glasspane: analysis thread [12] of 2 stopped: test fault at frame ${at}; the inventory above holds what was analysed until then \\(run again, or with --threads 1\\)\\n$`,
      ),
    );
    const got = JSON.parse(r.stdout) as InventoryJson;
    // Every frame before the fault was analysed by one worker or the other, and none after it on the dead one.
    assert.ok(
      got.stats.packets >= at - 1 && got.stats.packets < one.stats.packets,
      String(got.stats.packets),
    );
    assert.ok(got.devices.length > 0);
    for (const d of got.devices) assert.ok(one.devices.some((x) => x.id === d.id));
  },
);

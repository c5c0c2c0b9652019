// A console's heap: `serve --nats` starts itself again with a larger heap (half the machine's memory,
// or --heap), as a real child process against a real nats-server, and passes on signals and its exit.
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { heapDecision, wantedHeapMiB } from '../../src-main/cli/heap';
import { UsageError } from '../../src-main/cli/output';
import { natsUnavailable, TestNats } from '../helpers/nats-server';
import { runCli, startCli, type CliRun } from '../helpers/sensor-run';

const MiB = 2 ** 20;
/** Whether a process is still running (not a zombie: a reaped or orphaned one is gone). */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
const GB = 2 ** 30;

test('the heap a console wants: half the machine, or --heap in units of 1000', () => {
  assert.equal(wantedHeapMiB(undefined, 32 * GB), 16 * 1024);
  assert.equal(wantedHeapMiB('auto', 8 * GB), 4 * 1024);
  assert.equal(wantedHeapMiB('8GB', 32 * GB), Math.floor(8e9 / MiB));
  assert.equal(wantedHeapMiB('1500m', 32 * GB), Math.floor(1.5e9 / MiB));
  assert.throws(() => wantedHeapMiB('lots', 32 * GB), UsageError);
  assert.throws(() => wantedHeapMiB('100MB', 32 * GB), /too small/);
  assert.throws(() => wantedHeapMiB('64GB', 32 * GB), /more than this machine/);
});

test('when a console runs itself, and when it starts a child', () => {
  const limit = 4144 * MiB;
  // Auto: only to raise the heap, never to lower it, and never over a limit the user set.
  assert.equal(heapDecision(undefined, 16_384, {}, [], limit), null);
  assert.match(heapDecision(undefined, 2048, {}, [], limit)!, /large enough/);
  assert.match(
    heapDecision(undefined, 16_384, { NODE_OPTIONS: '--max-old-space-size=3000' }, [], limit)!,
    /NODE_OPTIONS/,
  );
  assert.match(
    heapDecision(undefined, 16_384, {}, ['--max_old_space_size=3000'], limit)!,
    /NODE_OPTIONS or node/,
  );
  // --heap is what the user asked for, up or down, and wins over NODE_OPTIONS.
  assert.equal(heapDecision('2GB', 1907, { NODE_OPTIONS: '--max-old-space-size=3000' }, [], limit), null);
  assert.match(heapDecision('4GB', 4100, {}, [], limit)!, /large enough/);
});

test('--heap without --nats is refused with what to do', async () => {
  const r = await runCli(['serve', '--heap', '8GB']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--heap is for a console: give it with --nats/);
});

const skip = natsUnavailable();
describe('serve --nats with its own heap, against a real nats-server', { skip: skip ?? false }, () => {
  let nats: TestNats;
  before(async () => {
    nats = await new TestNats([{ user: 'console', password: 'console-secret' }]).start();
  });
  after(async () => {
    await nats?.cleanup();
  });

  /** Starts the console, waits for its line about the streams, and reads the heap it has. */
  async function console_(args: string[], env?: NodeJS.ProcessEnv) {
    const c = startCli(
      [
        'serve',
        '--nats',
        nats.url,
        '--user',
        'console',
        '--password-file',
        nats.passwordFile('console'),
        ...args,
      ],
      env,
      true,
    );
    const heap = /following the sensors' streams at .*; heap limit ([\d.]+) GB/;
    for (const until = Date.now() + 60_000; !heap.test(c.run.stderr); await delay(50))
      if (c.run.code !== null || Date.now() > until) assert.fail(`no console: ${c.run.stderr}`);
    return { ...c, heapGB: Number(heap.exec(c.run.stderr)![1]) };
  }

  /** A signal to the command's process group, as a terminal sends Ctrl+C to its foreground job. */
  function stopWith(c: { child: ChildProcess; done: Promise<CliRun> }, sig: NodeJS.Signals) {
    process.kill(-c.child.pid!, sig);
    return c.done;
  }

  test('--heap 3GB: the console runs with that heap, and SIGTERM stops it cleanly', async () => {
    const c = await console_(['--heap', '3GB']);
    // Below Node's default (about 4 GB): only a child started with the flag can have it.
    assert.ok(Math.abs(c.heapGB - 3e9 / GB) < 0.15, `heap ${c.heapGB} GB`);
    const r = await stopWith(c, 'SIGTERM');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.match(/terminated: shutting down/g)?.length, 1, r.stderr);
  });

  test('by default half the machine (where that is more than Node gives), and one Ctrl+C stops it', async () => {
    const c = await console_([]);
    const half = totalmem() / 2 / GB;
    const own = getHeapStatistics().heap_size_limit / GB;
    const want = half > own ? half : own;
    assert.ok(Math.abs(c.heapGB - want) < 0.15, `heap ${c.heapGB} GB, wanted ${want.toFixed(1)}`);
    const r = await stopWith(c, 'SIGINT');
    assert.equal(r.code, 0, r.stderr);
    // Once: a second SIGINT would cut the shutdown short.
    assert.equal(r.stderr.match(/interrupted: shutting down/g)?.length, 1, r.stderr);
  });

  test('SIGKILL to the command ends the console too', async () => {
    const c = await console_(['--heap', '3GB']);
    const kids = execFileSync('pgrep', ['-P', String(c.child.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    assert.equal(kids.length, 1, kids.join(' '));
    const pid = Number(kids[0]);
    assert.ok(alive(pid));
    c.child.kill('SIGKILL');
    await c.done;
    for (const until = Date.now() + 10_000; alive(pid) && Date.now() < until;) await delay(20);
    assert.ok(!alive(pid), `the console (pid ${pid}) outlived its command`);
  });

  test('a heap set in NODE_OPTIONS is kept', async () => {
    const c = await console_([], { ...process.env, NODE_OPTIONS: '--max-old-space-size=2500' });
    assert.ok(Math.abs(c.heapGB - 2500 / 1024) < 0.15, `heap ${c.heapGB} GB`);
    const r = await stopWith(c, 'SIGTERM');
    assert.equal(r.code, 0, r.stderr);
  });
});

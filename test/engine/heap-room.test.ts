/**
 * The desktop app's engine heap (src-main/engine/heap-room.ts): half the machine within Electron's
 * 4 GB cap, never below V8's own default, and advice that fits where the console runs. The Electron
 * process itself cannot run here; the flag it is given is checked on Node, which reads it the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ELECTRON_HEAP_CAP_MIB, engineHeapArgs, moreHeapAdvice } from '../../src-main/engine/heap-room';

const GiB = 2 ** 30;

test('the engine asks for half a small machine, at most the cap, and never less than V8 gives it', () => {
  // 6 GB: V8 would give about a quarter; half is 3 GB.
  assert.deepEqual(engineHeapArgs(6 * GiB, 1.5 * GiB), ['--max-old-space-size=3072']);
  // 8 GB: half is 4 GB, past what Electron's cage holds with the young generation.
  assert.deepEqual(engineHeapArgs(8 * GiB, 2 * GiB), [`--max-old-space-size=${ELECTRON_HEAP_CAP_MIB}`]);
  // 32 GB: V8's default is already at the cap; asking for less would lower it.
  assert.deepEqual(engineHeapArgs(32 * GiB, 4 * GiB), []);
  assert.deepEqual(engineHeapArgs(2 * GiB, 1 * GiB), []);
});

test('the flag the engine is given sets the heap V8 allows', () => {
  const args = engineHeapArgs(6 * GiB, 0);
  const limit = Number(
    execFileSync(
      process.execPath,
      [...args, '-p', 'require("node:v8").getHeapStatistics().heap_size_limit'],
      {
        encoding: 'utf8',
      },
    ),
  );
  // The limit counts the young generation too.
  assert.ok(Math.abs(limit / 2 ** 20 - 3072) < 3072 * 0.05, `${limit / 2 ** 20} MiB`);
});

test('a console near its limit is told to raise --heap under Node, and to run serve from the desktop app', () => {
  const node = moreHeapAdvice(4 * GiB, undefined);
  assert.match(node, /restart it with --heap 9GB/);
  const app = moreHeapAdvice(3.75 * GiB, '41.7.1');
  assert.match(app, /Electron caps a process's heap at 4 GB/);
  assert.match(app, /`glasspane serve --nats URL --heap 9GB`/);
  assert.doesNotMatch(app, /restart it with/);
});

/**
 * A console whose merge fills most of the heap V8 allows it says so, with what to do, before it
 * runs out (MergedView.checkHeap): a real MergedView in a child process given a small heap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('a console near its heap limit says how full it is and how to give it more, once a tenth', () => {
  const out = execFileSync(
    process.execPath,
    ['--max-old-space-size=160', '--import', 'tsx', join(import.meta.dirname, '../helpers/heap-console.ts')],
    { encoding: 'utf8', timeout: 300_000 },
  );
  const { said, devices } = JSON.parse(out.trim().split('\n').pop()!) as { said: string[]; devices: number };
  const heap = said.filter((s) => s.includes('heap'));
  assert.equal(heap.length, 1, JSON.stringify(said));
  assert.match(
    heap[0]!,
    /^the merged inventory of (\d+) devices uses \d+\.\d GB of this process's 0\.\d GB heap: give it more before more sensors report \(restart it with --heap \d+GB, within this machine's memory; docs\/sensors\.md\)$/,
  );
  // Said as the merge grew past 70 %, not at the start.
  assert.equal(Number(/of (\d+) devices/.exec(heap[0]!)![1]), devices);
  assert.ok(devices >= 10_000, `${devices} devices`);
});
